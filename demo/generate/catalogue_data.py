"""The department store's assortment: category tree, brands and the words product names are made of."""

from dataclasses import dataclass

# Departments group leaf categories for customer affinities; SENSITIVE ones are never an affinity.
DEPARTMENTS = ("womenswear", "menswear", "shoes", "accessories", "beauty", "home", "food", "sensitive")
WOMENSWEAR, MENSWEAR, SHOES, ACCESSORIES, BEAUTY, HOME, FOOD, SENSITIVE = range(8)
FASHION = (WOMENSWEAR, MENSWEAR, SHOES, ACCESSORIES)
# How much of the population's buying each department draws (sensitive excluded).
DEPARTMENT_POPULARITY = (0.21, 0.13, 0.12, 0.10, 0.18, 0.09, 0.17)

COLOURS = (
    ("Black", "BLK"), ("Navy", "NVY"), ("Ivory", "IVR"), ("Camel", "CML"), ("Grey Marl", "GRM"),
    ("Olive", "OLV"), ("Burgundy", "BRG"), ("Sage", "SGE"), ("Cobalt", "CBT"), ("Blush", "BLS"),
    ("Rust", "RST"), ("White", "WHT"), ("Stone", "STN"), ("Tan", "TAN"), ("Dark Brown", "DBR"),
)  # fmt: skip
APPAREL_COLOURS = tuple(range(13))  # indexes into COLOURS; shoes use the leathers below
SHOE_COLOURS = (0, 1, 11, 13, 14, 6)
SIZES = {
    "apparel": ("XS", "S", "M", "L", "XL"),
    "shoes_w": tuple(str(s) for s in range(36, 43)),
    "shoes_m": tuple(str(s) for s in range(40, 47)),
    "shoes_u": tuple(str(s) for s in range(36, 47)),
    "one": ("",),
}
SHOE_SIZE_FROM = {"shoes_w": 36, "shoes_m": 40, "shoes_u": 36}


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    parent: str | None
    sensitive_label: str = ""  # set only where the retailer marks the node itself as sensitive


NODES = (
    Node("fashion", "Fashion", None),
    Node("womenswear", "Womenswear", "fashion"),
    Node("menswear", "Menswear", "fashion"),
    Node("shoes", "Shoes", "fashion"),
    Node("accessories", "Accessories", "fashion"),
    Node("beauty", "Beauty", None),
    Node("home", "Home", None),
    Node("food-hall", "Food hall", None),
    Node("dietary", "Religious dietary", "food-hall", "dietary item"),
    Node("health", "Pharmacy & health", None, "health item"),
    Node("family-planning", "Pregnancy & family planning", "health", "family-planning item"),
    Node("weight-management", "Weight management", "health", "wellbeing item"),
    Node("adult", "Intimate wellness", None, "personal item"),
)

# Styles: 0 value, 1 classic, 2 contemporary, 3 luxury. A style sets price level and who buys it.
STYLE_PRICE = (0.7, 1.0, 1.25, 2.3)
W, M, S, A = "womenswear", "menswear", "shoes", "accessories"
BRANDS = (
    ("Halden & Rowe", 1, (W, M, S, A, "beauty", "home")),
    ("Maison Verlaine", 3, (W, "a-bags", "a-scarves", "a-jewellery")),
    ("Northcote", 1, (M, "w-coats", "w-knitwear")),
    ("Atelier Solène", 2, (W,)),
    ("Brennan & Hale", 1, (M, "s-men")),
    ("Kjell Studio", 2, ("w-tops", "w-trousers", "w-knitwear", "m-tshirts", "m-trousers", "m-knitwear")),
    ("Oakhurst Denim", 0, ("w-trousers", "m-trousers", "m-shirts", "w-skirts")),
    ("Ashby Lane", 0, (W, M)),
    ("Larkspur", 2, ("w-dresses", "w-tops", "w-skirts")),
    ("Vance & Ode", 3, (M, "a-bags", "a-belts")),
    ("Marlowe Tailoring", 3, ("m-suits", "m-shirts", "m-ties", "m-coats")),
    ("Saint-Aubin", 3, ("w-dresses", "w-coats", "s-women", "a-bags")),
    ("Weald & Co.", 1, ("m-knitwear", "w-knitwear", "m-coats", "a-scarves")),
    ("Hebridean Knit Co.", 1, ("w-knitwear", "m-knitwear", "a-scarves")),
    ("Tessaro", 2, ("s-women", "s-men")),
    ("Piet van Dam", 2, ("m-shirts", "m-trousers", "m-coats", "s-men")),
    ("Linnea", 2, ("w-tops", "w-dresses", "a-jewellery", "a-bags")),
    ("Calloway Leather", 1, ("a-bags", "a-belts", "s-men", "s-women")),
    ("Orla Byrne", 2, ("w-dresses", "w-knitwear", "a-scarves")),
    ("Strand & Sole", 0, (S,)),
    ("Kinetic Run", 0, ("s-trainers", "m-tshirts")),
    ("Aurelie Bijoux", 2, ("a-jewellery",)),
    ("Hartmann Uhren", 3, ("a-watches",)),
    ("Greywell Optics", 1, ("a-sunglasses", "a-watches")),
    ("Mabel & Finch", 0, ("w-lingerie", "w-tops", "w-dresses")),
    ("Douceur de Nuit", 2, ("w-lingerie",)),
    ("Field & Fjord", 1, ("w-coats", "m-coats", "s-trainers")),
    ("Lumière Skin", 3, ("b-skincare",)),
    ("Apotheca Botanics", 2, ("b-skincare", "b-hair")),
    ("Dermaclear Lab", 0, ("b-skincare",)),
    ("Velours Cosmetics", 2, ("b-makeup",)),
    ("Nordlys Beauty", 1, ("b-skincare", "b-makeup")),
    ("Maison Ambrette", 3, ("b-fragrance",)),
    ("Cedar & Salt", 2, ("b-fragrance", "h-decor")),
    ("Parfums Oriane", 3, ("b-fragrance", "b-makeup")),
    ("Tressa Hair", 0, ("b-hair",)),
    ("Salon Verde", 2, ("b-hair",)),
    ("Hearth & Harlow", 1, ("h-kitchen", "h-decor")),
    ("Kobalt Kitchen", 2, ("h-kitchen",)),
    ("Flanders Linen", 1, ("h-bedding",)),
    ("Dune & Drift", 2, ("h-decor", "h-bedding")),
    ("Stoneleigh Pottery", 1, ("h-kitchen", "h-decor")),
    ("Eiderhaus", 3, ("h-bedding",)),
    ("Halden & Rowe Food Hall", 1, ("food",)),
    ("Côte Dorée", 3, ("f-sweets", "f-pantry")),
    ("Old Quay Coffee", 2, ("f-pantry",)),
    ("Fattoria Lucca", 1, ("f-pantry", "f-fresh")),
    ("Glenmorrow Distillery", 3, ("f-drinks",)),
    ("Vignobles Marceau", 1, ("f-drinks",)),
    ("Brookfield Dairy", 0, ("f-fresh",)),
    ("Little Larder", 0, ("f-sweets", "f-pantry")),
    ("Al-Noor Foods", 1, ("f-halal",)),
    ("Shalom Deli", 1, ("f-kosher",)),
    ("CarePlus", 0, ("hl-medicines", "hl-first-aid", "hl-vitamins")),
    ("Vitalis Nutrition", 1, ("hl-vitamins", "hl-maternity", "hl-meal-replacements")),
    ("Bloom Family", 1, ("hl-pregnancy-tests", "hl-maternity", "hl-contraception")),
    ("LeanWell", 0, ("hl-meal-replacements", "hl-slimming")),
    ("Apothecary Row", 1, ("hl-medicines", "hl-vitamins", "hl-first-aid")),
    ("Intima", 2, ("ad-intimate-care", "ad-adult", "hl-contraception")),
    ("Velvet Hour", 2, ("ad-adult", "ad-intimate-care")),
)
