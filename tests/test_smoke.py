def test_home_needs_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_dsl_sees_dsl_panels(dsl_client):
    response = dsl_client.get("/")
    assert response.status_code == 200
    assert b'data-panel="urgent"' in response.content
    assert b'data-panel="setup"' not in response.content
