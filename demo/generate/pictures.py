"""The demo's product pictures, drawn here at seed time (nothing is downloaded): one small SVG per
product, a silhouette of its kind (a dress, a shoe, a bottle…) in its first colour on a soft
ground, written to ``PRODUCT_IMAGE_ROOT`` and served at ``/product-images/<sku>.svg``.

Pictures of sensitive categories are a plain tile: staff never see those products anyway (they are
masked), and a picture must not say what the product is."""

from pathlib import Path

import numpy as np

from demo.generate.assortment import LEAVES
from demo.generate.catalogue_data import COLOURS

URL = "/product-images/{sku}.svg"

# Hex for each of catalogue_data.COLOURS, in its order.
COLOUR_HEX = (
    "#2b2b2e", "#27365a", "#efe8d8", "#c19a6b", "#a7a9ac", "#6b7048", "#7b2335", "#a3b59a",
    "#2f56b0", "#e9b8b3", "#b4552d", "#fafafa", "#cfc6b4", "#c08a5a", "#4a3426",
)  # fmt: skip
assert len(COLOUR_HEX) == len(COLOURS)

# Silhouettes in a 120 × 120 box, by what the leaf sells.
SHAPES = {
    "dress": "M48 14h24l4 16-6 8 18 62H32l18-62-6-8z",
    "top": "M40 22l12-6h16l12 6 18 16-10 12-8-6v60H40V44l-8 6-10-12z",
    "jumper": "M38 20l14-4h16l14 4 16 20-4 48-10 2-4-46v60H40V44l-4 46-10-2-4-48z",
    "trousers": "M38 14h44l6 92H66l-6-60-6 60H32z",
    "skirt": "M42 24h36l16 74H26z",
    "coat": "M40 16l20 8 20-8 16 14 6 70H18l6-70zM58 28h4v72h-4z",
    "robe": "M42 16l18 10 18-10 14 10-8 74H36l-8-74z",
    "tie": "M54 14h12l4 10-6 6 10 58-14 14-14-14 10-58-6-6z",
    "shoe": "M18 70c0-10 8-22 18-26l16 10c10 6 26 8 40 10 8 2 12 10 12 18v8H18z",
    "trainer": "M16 74c2-14 14-26 26-28l10 10c12 4 28 6 42 8 8 2 12 10 12 16v8H16z",
    "bag": "M26 44h68l6 58H20zM44 44c0-20 32-20 32 0h-6c0-12-20-12-20 0z",
    "scarf": "M30 20h60v22H62v58H44V42H30z",
    "belt": "M10 52h100v16H10zM44 48h20v24H44zM50 56h8v8h-8z",
    "ring": "M60 30a30 30 0 1 0 .1 0zm0 10a20 20 0 1 1-.1 0zM52 14h16l-8 14z",
    "watch": "M48 10h24v22H48zM48 88h24v22H48zM60 32a28 28 0 1 0 .1 0z",
    "glasses": "M14 50h40v22a14 14 0 0 1-14 14h-12a14 14 0 0 1-14-14zM66 50h40v22a14 14 0 0 1-14 "
    "14H80a14 14 0 0 1-14-14zM54 54h12v6H54z",
    "jar": "M34 36h52v62a8 8 0 0 1-8 8H42a8 8 0 0 1-8-8zM38 20h44v14H38z",
    "lipstick": "M48 60h24v46H48zM52 34l16-12v38H52z",
    "bottle": "M42 48h36l6 10v44a6 6 0 0 1-6 6H42a6 6 0 0 1-6-6V58zM52 30h16v18H52zM48 20h24v10H48z",
    "tube": "M44 18h32v10l6 72H38l6-72z",
    "pan": "M18 56h60v12a18 18 0 0 1-18 18H36a18 18 0 0 1-18-18zM78 58h30v8H78z",
    "pillow": "M18 38c14-6 70-6 84 0 4 14 4 30 0 44-14 6-70 6-84 0-4-14-4-30 0-44z",
    "vase": "M46 16h28v10c14 10 18 30 12 50-4 16-8 28-26 28s-22-12-26-28c-6-20-2-40 12-50z",
    "box": "M20 40l40-16 40 16v52l-40 16-40-16zM20 40l40 16 40-16M60 56v52",
    "wine": "M50 12h20v28c10 6 12 14 12 24v42H38V64c0-10 2-18 12-24z",
    "fruit": "M60 36c22-10 40 8 36 34-4 24-22 36-36 32-14 4-32-8-36-32-4-26 14-44 36-34zM58 18h6v18h-6z",
    "sweets": "M30 40h60v44H30zM30 40l-14-10v64l14-10M90 40l14-10v64l-14-10",
    "plain": "M30 30h60v60H30z",
}
LEAF_SHAPE = {
    "w-dresses": "dress",
    "w-tops": "top",
    "w-knitwear": "jumper",
    "w-trousers": "trousers",
    "w-skirts": "skirt",
    "w-coats": "coat",
    "w-lingerie": "robe",
    "m-shirts": "top",
    "m-tshirts": "top",
    "m-knitwear": "jumper",
    "m-trousers": "trousers",
    "m-suits": "coat",
    "m-coats": "coat",
    "m-ties": "tie",
    "s-women": "shoe",
    "s-men": "shoe",
    "s-trainers": "trainer",
    "a-bags": "bag",
    "a-scarves": "scarf",
    "a-belts": "belt",
    "a-jewellery": "ring",
    "a-watches": "watch",
    "a-sunglasses": "glasses",
    "b-skincare": "jar",
    "b-makeup": "lipstick",
    "b-fragrance": "bottle",
    "b-hair": "tube",
    "h-kitchen": "pan",
    "h-bedding": "pillow",
    "h-decor": "vase",
    "f-pantry": "box",
    "f-drinks": "wine",
    "f-fresh": "fruit",
    "f-sweets": "sweets",
}  # fmt: skip (no sensitive leaf here: theirs is the plain tile)
# Colours for what is not sold in colours (beauty, home, food), by leaf.
LEAF_HEX = {
    "b-skincare": "#e6d3c3", "b-makeup": "#b0384a", "b-fragrance": "#d9b46c", "b-hair": "#8fb3c9",
    "h-kitchen": "#5d6d7e", "h-bedding": "#dfe6ee", "h-decor": "#9c7b5b", "f-pantry": "#c9a36b",
    "f-drinks": "#6e1f2e", "f-fresh": "#7aa65a", "f-sweets": "#c2647a",
}  # fmt: skip
GROUND = "#f4f1ec"


def picture(shape: str, fill: str) -> str:
    """One picture: ``shape`` (a key of SHAPES) filled with ``fill`` on the ground."""
    stroke = "#8a8378" if fill in ("#fafafa", "#efe8d8", "#dfe6ee") else "none"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="240" height="240">'
        f'<rect width="120" height="120" fill="{GROUND}"/>'
        f'<path d="{SHAPES[shape]}" fill="{fill}" stroke="{stroke}" stroke-width="1.5" '
        'stroke-linejoin="round" fill-rule="evenodd"/></svg>'
    )


def write_pictures(folder: Path, skus: list[str], leaf: np.ndarray, first_colour: np.ndarray) -> int:
    """A picture per product (``leaf``: index into LEAVES; ``first_colour``: index into COLOURS, or
    -1) in ``folder``; returns how many were written. Same inputs, same files."""
    folder.mkdir(parents=True, exist_ok=True)
    for sku, index, colour in zip(skus, leaf.tolist(), first_colour.tolist(), strict=True):
        code = LEAVES[index].code
        if code not in LEAF_SHAPE:
            svg = picture("plain", "#d8d3cb")
        else:
            fill = COLOUR_HEX[colour] if colour >= 0 else LEAF_HEX.get(code, "#9a8f80")
            svg = picture(LEAF_SHAPE[code], fill)
        (folder / f"{sku}.svg").write_text(svg)
    return len(skus)
