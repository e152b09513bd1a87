"""Product pictures: which URLs a product may carry, and the pictures we serve ourselves."""

import numpy as np
import pytest
from django.test import Client

from catalog.images import image_url_problem
from demo.generate.assortment import LEAVES
from demo.generate.pictures import write_pictures

ALLOWED = "https://images.example.com"


@pytest.fixture(autouse=True)
def origins(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PRODUCT_IMAGE_ORIGINS = [ALLOWED]


@pytest.mark.parametrize(
    "url",
    ["", f"{ALLOWED}/a/b.jpg?w=480", "https://IMAGES.example.com/c.png", "/product-images/HR000123.svg"],
)
def test_a_picture_on_the_image_server_or_our_own_is_accepted(url):
    assert image_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://images.example.com/a.jpg", "must be an https URL"),
        ("javascript:alert(1)", "must be an https URL"),
        ("//images.example.com/a.jpg", "must be an https URL"),
        ("https://evil.example/a.jpg", "must be on one of PRODUCT_IMAGE_ORIGINS"),
        ("https://images.example.com.evil.example/a.jpg", "must be on one of PRODUCT_IMAGE_ORIGINS"),
        ("https://user:pw@images.example.com/a.jpg", "is not a plain URL"),
        ('https://images.example.com/a.jpg"><script>', "is not a plain URL"),
        ("/product-images/../settings.py", "must be one file name"),
        ("/product-images/a/b.svg", "must be one file name"),
        ("/media/exports/x.zip", "must be an https URL"),
        (f"{ALLOWED}/{'a' * 500}.jpg", "longer than 500 characters"),
    ],
)
def test_any_other_picture_is_refused_with_the_reason(url, problem):
    assert problem in (image_url_problem(url) or "")


def test_our_own_pictures_are_served_cached_and_unable_to_run_anything(settings, tmp_path, client: Client):
    settings.PRODUCT_IMAGE_ROOT = tmp_path
    write_pictures(tmp_path, ["HR000001"], leaf_indexes("w-dresses"), colour_indexes(0))

    response = client.get("/product-images/HR000001.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert "sandbox" in response["Content-Security-Policy"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"<svg")
    assert b"<script" not in body
    assert client.get("/product-images/HR000002.svg").status_code == 404
    assert client.get("/product-images/.env").status_code == 404
    assert client.post("/product-images/HR000001.svg").status_code == 405


def test_the_demos_pictures_draw_each_kind_and_a_plain_tile_for_what_is_sensitive(tmp_path):
    codes = ["w-dresses", "s-women", "b-fragrance", "hl-contraception", "f-kosher"]
    skus = [f"P{n}" for n in range(len(codes))]

    written = write_pictures(tmp_path, skus, leaf_indexes(*codes), colour_indexes(1, 0, -1, -1, -1))

    assert written == 5
    svgs = [(tmp_path / f"{sku}.svg").read_text() for sku in skus]
    assert len(set(svgs[:3])) == 3  # a dress, a shoe and a bottle, each its own
    assert svgs[3] == svgs[4]  # health and religious dietary: the same plain tile, saying nothing
    assert 'fill="#27365a"' in svgs[0]  # navy, the dress's first colour


def leaf_indexes(*codes: str) -> np.ndarray:
    index = {leaf.code: n for n, leaf in enumerate(LEAVES)}
    return np.array([index[code] for code in codes])


def colour_indexes(*colours: int) -> np.ndarray:
    return np.array(colours)
