from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


profile_edit = term_list = year_create = term_edit = pupil_list = pupil_detail = _todo
staff_list = staff_create = staff_edit = upload = preview = _todo
