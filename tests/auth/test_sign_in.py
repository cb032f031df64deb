from flask import g


def test_sign_in_and_out(client, factory, login):
    user = factory.user(role="coordinator")
    response = login(user)
    assert response.headers["Location"] == "/"
    assert client.post("/dang-xuat").status_code == 302


def test_wrong_password_is_refused(client, factory):
    user = factory.user(role="viewer")
    response = client.post("/dang-nhap", data={"email": user.email, "password": "sai-mat-khau"})
    assert response.status_code == 401
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account(client, factory, app):
    user = factory.user(role="viewer")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/dang-nhap", data={"email": user.email, "password": "sai"})
    response = client.post("/dang-nhap", data={"email": user.email, "password": "matkhau123"})
    assert response.status_code == 429
    assert "quá nhiều lần" in response.get_data(as_text=True)


def test_next_redirect_is_kept_on_site(client, factory):
    user = factory.user(role="viewer")
    for target, expected in [("/ke-hoach", "/ke-hoach"), ("//evil.example/x", "/"), ("https://evil.example/", "/"),
                             ("/\\evil.example", "/")]:
        response = client.post(f"/dang-nhap?next={target}", data={"email": user.email, "password": "matkhau123"})
        assert response.headers["Location"] == expected, target
        client.post("/dang-xuat")


def test_password_is_hashed_with_scrypt(factory):
    user = factory.user(role="viewer")
    assert user.password_hash.startswith("scrypt:")


def test_a_new_password_ends_existing_sessions(client, factory, login, db):
    user = factory.user(role="viewer")
    login(user)
    assert client.get("/tong-quan").status_code == 200
    user.set_password("mat-khau-moi-123")
    db.session.commit()
    g.pop("_login_user", None)  # the test's app context outlives requests; a server's does not
    response = client.get("/tong-quan")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
