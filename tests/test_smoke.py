def test_home_page_renders(client, world):
    response = client.get("/")
    assert response.status_code == 200
    assert b"ak-suu" in response.data
