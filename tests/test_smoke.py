from fastapi.testclient import TestClient


def test_read_me_anonymous(client: TestClient) -> None:
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in first."}
