"""The starter text for each audience's agreement, written for Safety Portal.

A new school gets each as a draft version 1, for the online-safety lead to adapt and publish.
Kept as plain data so that the migration that installs them can use it too. The texts are in
English on purpose: they are the school's own documents once adapted, not interface strings.
"""

STAFF = """\
This agreement covers every device, account and network the school provides, and your own
devices whenever you use them for school work or with pupils. Please read it, ask the
online-safety lead about anything that is unclear, and sign it before you work with pupils.

## Using school systems
- I use school devices, email, cloud storage and the internet for my work, and for personal use
  only where the school allows it and never in front of pupils.
- I keep my passwords to myself, lock my screen when I step away, and tell the IT team at once
  if I think an account has been misused.
- I do not install software or connect equipment to the school network without permission.
- I understand that the school filters and monitors its systems, and that what I do on them can
  be checked and reported to the headteacher.

## Pupils and families
- I contact pupils and parents only through school channels: school email, the school's
  messaging systems and school phones.
- I do not give pupils my personal phone number, email address or social media accounts, and I
  do not accept friend or follow requests from pupils or recent former pupils.
- I take, store and share images of pupils only on school devices, for school purposes, and only
  where the photo-consent record allows it. I never put a pupil's full name next to their image.

## Personal data
- I keep pupils' and colleagues' personal data secure, in school systems, and take it off site
  only where the school has approved it and it is protected.
- I report a lost device or any data sent to the wrong person to the school's data protection
  lead straight away.

## Keeping children safe
- I report any online-safety concern about a pupil to the Designated Safeguarding Lead the same
  day, through Safety Portal or in person, and I do not investigate it myself.
- I never view, copy or forward an image I suspect is a nude or semi-nude image of a child; I
  secure the device and tell the DSL.
- I report any concern about a colleague's online conduct to the headteacher.

## My own conduct online
- I make sure nothing I post or share, in or out of school, brings my role or the school into
  disrepute, and I keep my personal accounts private.

I understand that breaking this agreement may lead to disciplinary action and, where the law is
broken, to the police being involved.
"""

GOVERNOR = """\
Governors see confidential information about the school, its staff and, occasionally, its
pupils. This agreement sets out how you look after it and how you behave online as a governor.

## Information
- I use the accounts the school gives me for governor business, keep my passwords private and
  sign out on shared devices.
- I keep governing body papers confidential, store them only where the school asks, and delete
  or return them when I no longer need them or leave the governing body.
- I never ask for, or keep, the details of an individual child-protection case: the governing
  body receives anonymised summaries only.
- I report a lost device or a data breach involving school information to the clerk or the
  headteacher straight away.

## Conduct online
- I do not discuss the school's business, staff, pupils or families on social media.
- I do not use my role to contact pupils, and I pass any concern about a child to the
  Designated Safeguarding Lead straight away.
- I understand that the safeguarding governor monitors the school's online-safety arrangements
  through the termly report, not by looking into individual incidents.

I understand that breaking this agreement may lead to my removal from the governing body.
"""

VISITOR = """\
Welcome. While you are in school, whether you are visiting, volunteering or working as a
contractor, please follow these rules so that our pupils stay safe.

- I use my phone and other devices only in the areas staff show me, and never in front of
  pupils unless a member of staff says I may.
- I do not take photographs, videos or recordings of pupils.
- I use the school's guest Wi-Fi only for the purpose of my visit and do not try to get round
  its filtering.
- I do not connect any device to the school's own network or computers without permission from
  the IT team.
- I do not share my contact details or social media accounts with pupils.
- If I see or hear anything that worries me about a child's safety, online or offline, I tell
  the Designated Safeguarding Lead or the member of staff looking after me before I leave.

I understand that the school may ask me to leave if I do not follow these rules.
"""

PUPIL_EARLY = """\
These are our rules for using computers, tablets and the internet at school.
A grown-up will read them with you.

- I ask a grown-up before I use a computer or a tablet.
- I only use the games, apps and websites my teacher says I can.
- I am kind when I talk to people online.
- I keep my name, where I live and my pictures private.
- If I see something that makes me feel sad, scared or worried, I turn off the screen or close
  the lid, and I tell a grown-up straight away.
- I know that a grown-up will always help me and I will not be in trouble for telling.
"""

PUPIL_KS2 = """\
These rules help keep you and your friends safe when you use computers, tablets and the
internet at school and at home.

- I use school computers and tablets for school work, and only the websites and apps my teacher
  allows.
- I keep my passwords secret and I only log in as myself.
- I only open my own files and I do not change other people's work.
- I am polite, kind and sensible in everything I write or send online.
- I never share personal information such as my full name, address, phone number, school or
  photos with people I only know online, and I never agree to meet them.
- I do not take or share photos or videos of other people without their permission.
- If I find anything online that upsets me or that I know is wrong, I do not share it. I tell a
  teacher or a trusted adult straight away.
- I know that the school can check how I use its computers, and that my parents or carers may be
  told if the school is worried about my safety.
"""

PUPIL_KS3 = """\
This agreement covers school devices, your school accounts and the school network, and your own
phone or device whenever you bring it to school or use it for school work.

## Using school systems
- I use school devices and accounts for learning, and only sign in with my own account.
- I keep my passwords private and change them if I think someone knows them.
- I do not try to get round the school's filtering or use a VPN or proxy in school.
- I respect other people's work and files and do not copy work and call it my own.

## How I treat others
- I am respectful online. I do not post, send or share anything that is unkind, threatening or
  embarrassing about anyone, including jokes, screenshots and group chats.
- I do not take, share or forward photos or videos of people without their permission.
- I never create, ask for or share nude or semi-nude images. If someone sends one to me, I do not
  pass it on and I tell a member of staff.

## Keeping myself safe
- I think before I share personal information, and I keep my accounts private.
- I do not meet anyone I only know online without telling a parent or carer.
- If anything online worries or upsets me, or I think someone is at risk, I tell a member of
  staff. I know I can also report to CEOP.

I understand that the school monitors its systems, and that breaking this agreement can lead to
sanctions and to my parents or carers being contacted.
"""

PUPIL_KS4 = """\
This agreement covers school devices, your school accounts and the school network, and your own
devices whenever you use them in school or for school work, including in the sixth form.

## Responsible use
- I use school systems for learning, sign in only as myself and keep my passwords private.
- I do not bypass the school's filtering or security, and I do not use tools meant to hide my
  activity on the school network.
- I use AI tools only as my teachers allow and I say when I have used them in my work.
- I respect copyright and do not submit other people's work as my own.

## Respect for others
- I do not create, post or share content that bullies, harasses, threatens or discriminates
  against anyone, online or offline.
- I do not record, photograph or share images of other pupils or staff without their consent.
- I understand that creating, possessing or sharing a nude or semi-nude image of anyone under 18
  is illegal, even between people of the same age, and I will tell a member of staff if I am sent
  one.

## My safety and my future
- I manage my privacy settings and think about how what I post could affect my future studies
  and work.
- I report anything that puts me or someone else at risk to a member of staff, and I know I can
  also report to CEOP or Childline.

I understand that the school monitors its systems and that breaking this agreement can lead to
sanctions, and in serious cases to the police being informed.
"""

PARENT = """\
We ask every parent or carer to read the pupils' agreement with their child, talk it through,
and sign this agreement on their child's behalf.

## As a parent or carer, I will
- read the pupils' agreement with my child and help them understand why the rules matter;
- support the school in teaching my child to use technology safely and respectfully;
- tell the school if I have a concern about my child's safety online, or about anything that
  happens online involving other pupils;
- not post photographs or videos of other people's children taken at school events on social
  media;
- raise any concern about the school or its staff with the school directly, not on social media.

## I understand that
- the school filters and monitors the internet use of pupils on school systems, and will contact
  me if it is worried about my child's safety;
- the school cannot be responsible for what my child does on devices and networks outside
  school, but will help when a problem affects school life;
- serious or repeated misuse may lead to sanctions in line with the school's behaviour policy.
"""

SOCIAL_MEDIA = """\
This agreement is for staff who post on the school's official social media accounts. Sign it
before you post for the first time.

- I post only on accounts the headteacher has approved, using the school's login details, never
  through my personal accounts.
- I check the photo-consent record before I post any image of a pupil and never post one for a
  pupil who is on the "do not photograph" list.
- I never post a pupil's full name, and I never post anything that shows where a pupil lives or
  where they will be.
- I do not follow, message or reply privately to pupils or parents from the school's accounts.
- I keep posts professional and accurate, and check them with a second member of staff when
  they concern a sensitive subject.
- I remove any comment that is abusive or identifies a pupil, and report concerning comments
  to the Designated Safeguarding Lead.
- I tell the headteacher at once if an account may have been accessed by someone else.
"""

STARTERS = {
    "staff": ("Staff acceptable use agreement", STAFF),
    "governor": ("Governor acceptable use agreement", GOVERNOR),
    "visitor": ("Visitor, volunteer and contractor agreement", VISITOR),
    "pupil_early": ("Our rules for using computers and tablets", PUPIL_EARLY),
    "pupil_ks2": ("Key stage 2 pupil agreement", PUPIL_KS2),
    "pupil_ks3": ("Key stage 3 pupil agreement", PUPIL_KS3),
    "pupil_ks4": ("Key stage 4 and sixth form pupil agreement", PUPIL_KS4),
    "parent": ("Parent and carer agreement", PARENT),
    "social_media": ("Official social media agreement", SOCIAL_MEDIA),
}
