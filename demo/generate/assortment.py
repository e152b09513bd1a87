"""The leaf categories and the product families in each: which words go together, at what price."""

from dataclasses import dataclass

from demo.generate.catalogue_data import (
    ACCESSORIES,
    BEAUTY,
    FOOD,
    HOME,
    MENSWEAR,
    SENSITIVE,
    SHOES,
    WOMENSWEAR,
)


@dataclass(frozen=True)
class Family:
    """Products named "<modifier> <base>" (Silk Slip Dress) in one price band, in pounds."""

    low: int
    high: int
    modifiers: tuple[str, ...]
    bases: tuple[str, ...]


@dataclass(frozen=True)
class Leaf:
    code: str
    name: str
    parent: str
    department: int
    products: int
    variants: str  # a key of catalogue_data.SIZES
    families: tuple[Family, ...]
    cycle: int | None = None  # days after which a replenishable product is bought again
    fit: str = "top"  # which of the customer's apparel sizes applies ("top" or "bottom")
    complements: tuple[str, ...] = ()  # leaves often bought in the same basket
    sensitive_label: str = ""


def F(low: int, high: int, modifiers: str, bases: str) -> Family:
    return Family(low, high, tuple(modifiers.split("|")), tuple(bases.split("|")))


L = Leaf
LEAVES = (
    L("w-dresses", "Dresses", "womenswear", WOMENSWEAR, 110, "apparel", (
        F(45, 140, "Jersey|Printed|Broderie|Cotton|Linen", "Midi Dress|Wrap Dress|Shirt Dress|Tiered Dress"),
        F(120, 380, "Silk|Satin|Crepe|Velvet", "Slip Dress|Maxi Dress|Midi Dress|Shift Dress"),
    ), complements=("s-women", "a-bags", "a-jewellery")),
    L("w-tops", "Tops & blouses", "womenswear", WOMENSWEAR, 110, "apparel", (
        F(18, 45, "Cotton|Striped|Ribbed|Organic Cotton", "T-Shirt|Breton Top|Long-Sleeve Top|Vest Top"),
        F(39, 150, "Silk|Crepe|Linen|Broderie", "Blouse|Shell Top|Camisole|Pussy-Bow Blouse|Tunic"),
    ), complements=("w-trousers", "w-skirts")),
    L("w-knitwear", "Knitwear", "womenswear", WOMENSWEAR, 80, "apparel", (
        F(39, 99, "Cotton|Ribbed|Cable-Knit|Merino", "Crew-Neck Jumper|Cardigan|V-Neck Jumper|Knitted Vest"),
        F(120, 320, "Cashmere|Alpaca-Blend|Baby Alpaca", "Roll-Neck Jumper|Crew-Neck Jumper|Cardigan"),
    ), complements=("w-trousers", "a-scarves")),
    L("w-trousers", "Trousers & jeans", "womenswear", WOMENSWEAR, 90, "apparel", (
        F(39, 120, "Straight-Leg|Wide-Leg|High-Rise|Cropped|Flared", "Jeans|Chinos|Linen Trousers"),
        F(69, 220, "Tailored|Pleated|Wide-Leg|Cigarette", "Wool Trousers|Trousers|Crepe Trousers"),
    ), fit="bottom", complements=("w-tops", "w-knitwear", "a-belts")),
    L("w-skirts", "Skirts", "womenswear", WOMENSWEAR, 50, "apparel", (
        F(35, 99, "Denim|Cotton|Printed|Corduroy", "A-Line Skirt|Mini Skirt|Wrap Skirt"),
        F(69, 210, "Pleated|Satin|Wool|Leather", "Midi Skirt|Pencil Skirt"),
    ), fit="bottom", complements=("w-tops", "w-knitwear")),
    L("w-coats", "Coats & jackets", "womenswear", WOMENSWEAR, 80, "apparel", (
        F(69, 220, "Quilted|Waterproof|Padded|Hooded", "Jacket|Parka|Puffer Jacket"),
        F(59, 160, "Denim|Cotton Twill|Utility", "Jacket|Shacket"),
        F(150, 420, "Tailored|Linen|Wool-Blend|Bouclé", "Blazer"),
        F(180, 520, "Leather|Suede", "Biker Jacket|Jacket"),
        F(250, 750, "Camel|Double-Faced Wool|Cashmere-Blend|Longline", "Wrap Coat|Overcoat|Trench Coat"),
    ), complements=("a-scarves", "w-knitwear", "s-women")),
    L("w-lingerie", "Lingerie & nightwear", "womenswear", WOMENSWEAR, 50, "apparel", (
        F(12, 45, "Cotton|Modal|Lace", "Briefs (3 pack)|Bralette|Pyjama Shorts|Nightdress"),
        F(45, 160, "Silk|Satin|Brushed Cotton", "Pyjama Set|Robe|Slip"),
    )),
    L("m-shirts", "Shirts", "menswear", MENSWEAR, 80, "apparel", (
        F(35, 89, "Slim-Fit|Regular-Fit|Striped|Button-Down", "Oxford Shirt|Poplin Shirt|Linen Shirt"),
        F(49, 140, "Brushed Cotton|Heavy Twill|Wool-Blend", "Flannel Shirt|Overshirt|Chambray Shirt"),
    ), complements=("m-ties", "m-trousers", "m-suits")),
    L("m-tshirts", "T-shirts & polos", "menswear", MENSWEAR, 60, "apparel", (
        F(15, 49, "Organic Cotton|Heavyweight|Striped|Washed",
          "Crew-Neck T-Shirt|Long-Sleeve T-Shirt|Henley"),
        F(35, 95, "Piqué|Knitted|Merino", "Polo Shirt"),
    ), complements=("m-trousers", "s-trainers")),
    L("m-knitwear", "Knitwear", "menswear", MENSWEAR, 60, "apparel", (
        F(45, 120, "Merino|Lambswool|Cotton|Fisherman", "Crew-Neck Jumper|Cardigan|Half-Zip Jumper"),
        F(140, 340, "Cashmere|Baby Alpaca", "Roll-Neck Jumper|Crew-Neck Jumper|V-Neck Jumper"),
    ), complements=("m-trousers", "m-shirts")),
    L("m-trousers", "Trousers & jeans", "menswear", MENSWEAR, 70, "apparel", (
        F(39, 120, "Slim|Straight|Relaxed|Tapered", "Jeans|Chinos|Cargo Trousers|Cord Trousers"),
        F(89, 220, "Selvedge|Raw|Japanese", "Jeans"),
        F(79, 220, "Pleated|Flannel|Tailored", "Wool Trousers|Trousers"),
    ), fit="bottom", complements=("m-shirts", "a-belts", "m-tshirts")),
    L("m-suits", "Suits & blazers", "menswear", MENSWEAR, 60, "apparel", (
        F(149, 390, "Linen|Cotton|Navy|Travel", "Blazer|Suit Jacket|Suit Trousers|Waistcoat"),
        F(290, 950, "Wool|Tweed|Flannel|Super 120s Wool",
          "Suit Jacket|Blazer|Three-Piece Suit|Suit Trousers"),
    ), complements=("m-shirts", "m-ties", "s-men")),
    L("m-coats", "Coats & jackets", "menswear", MENSWEAR, 60, "apparel", (
        F(89, 260, "Waterproof|Quilted|Hooded", "Field Jacket|Puffer Jacket|Mac|Parka"),
        F(129, 320, "Waxed|Cotton|Wool-Blend", "Field Jacket|Harrington Jacket"),
        F(220, 780, "Wool|Cashmere-Blend|Camel|Herringbone", "Overcoat|Car Coat|Peacoat"),
    ), complements=("a-scarves", "m-knitwear")),
    L("m-ties", "Ties & pocket squares", "menswear", MENSWEAR, 40, "one", (
        F(25, 49, "Silk|Linen|Printed", "Pocket Square"),
        F(35, 120, "Silk|Knitted|Grenadine|Printed Silk", "Tie|Bow Tie"),
    ), complements=("m-shirts",)),
    L("s-women", "Women's shoes", "shoes", SHOES, 110, "shoes_w", (
        F(45, 150, "Leather|Suede|Patent", "Ballet Flats|Loafers|Sandals|Mules"),
        F(89, 280, "Leather|Suede|Block-Heel|Pointed", "Court Shoes|Ankle Boots|Slingbacks"),
        F(180, 520, "Leather|Suede|Croc-Effect", "Knee-High Boots|Heeled Boots"),
    ), complements=("a-bags", "w-dresses")),
    L("s-men", "Men's shoes", "shoes", SHOES, 90, "shoes_m", (
        F(69, 180, "Suede|Canvas|Leather", "Loafers|Desert Boots|Boat Shoes"),
        F(120, 460, "Polished Leather|Calf Leather|Rubber-Sole",
          "Derby Shoes|Brogues|Chelsea Boots|Oxford Shoes"),
    ), complements=("m-suits", "a-belts")),
    L("s-trainers", "Trainers", "shoes", SHOES, 80, "shoes_u", (
        F(39, 89, "Canvas|Knit|Retro", "Plimsolls|Trainers|High-Tops"),
        F(79, 230, "Leather|Suede|Mesh", "Trainers|Runners"),
    ), complements=("m-tshirts",)),
    L("a-bags", "Bags", "accessories", ACCESSORIES, 90, "one", (
        F(25, 120, "Leather|Canvas|Woven", "Card Holder|Wallet|Pouch|Tote Bag"),
        F(89, 420, "Leather|Quilted|Suede|Nylon", "Crossbody Bag|Backpack|Bucket Bag|Clutch"),
        F(350, 1600, "Grained Leather|Calf Leather|Croc-Effect Leather",
          "Top-Handle Bag|Weekend Holdall|Tote Bag"),
    ), complements=("s-women", "a-scarves")),
    L("a-scarves", "Scarves, hats & gloves", "accessories", ACCESSORIES, 70, "one", (
        F(19, 95, "Wool|Lambswool|Cable-Knit|Cashmere", "Beanie|Scarf"),
        F(29, 120, "Leather|Suede|Cashmere-Lined Leather", "Gloves"),
        F(45, 260, "Silk|Cashmere|Printed Silk", "Scarf|Square Scarf|Wrap"),
        F(39, 140, "Wool Felt|Straw", "Fedora|Panama Hat"),
    ), complements=("w-coats", "m-coats")),
    L("a-belts", "Belts", "accessories", ACCESSORIES, 40, "one", (
        F(25, 140, "Leather|Woven|Suede|Reversible", "Belt|Waist Belt|Skinny Belt"),
    )),
    L("a-jewellery", "Jewellery", "accessories", ACCESSORIES, 80, "one", (
        F(25, 120, "Sterling Silver|Enamel|Gold-Plated", "Stud Earrings|Charm|Chain Bracelet|Hoop Earrings"),
        F(89, 520, "Gold Vermeil|Pearl|Rose Gold|9ct Gold", "Pendant Necklace|Signet Ring|Hoop Earrings"),
    ), complements=("w-dresses",)),
    L("a-watches", "Watches", "accessories", ACCESSORIES, 40, "one", (
        F(99, 350, "Minimalist|Quartz|Field", "Watch 38 mm|Watch 40 mm"),
        F(450, 2900, "Automatic|Chronograph|Diver's|Dress", "Watch 38 mm|Watch 42 mm"),
    )),
    L("a-sunglasses", "Sunglasses", "accessories", ACCESSORIES, 40, "one", (
        F(59, 260, "Tortoiseshell|Polarised|Gold-Frame|Acetate",
          "Aviator Sunglasses|Round Sunglasses|Cat-Eye Sunglasses|Square Sunglasses"),
    )),
    L("b-skincare", "Skincare", "beauty", BEAUTY, 170, "one", (
        F(8, 30, "Gentle|Daily|Soothing|Hydrating",
          "Foaming Cleanser 150 ml|Micellar Water 400 ml|Toner 200 ml"),
        F(18, 75, "Hydrating|Brightening|Barrier-Repair|Renewing",
          "Day Cream 50 ml|Night Cream 50 ml|SPF 50 Face Fluid 50 ml|Clay Mask 75 ml"),
        F(29, 160, "Vitamin C|Hyaluronic|Retinol|Peptide", "Serum 30 ml|Eye Cream 15 ml|Face Oil 30 ml"),
    ), cycle=60, complements=("b-makeup",)),
    L("b-makeup", "Make-up", "beauty", BEAUTY, 140, "one", (
        F(9, 28, "Long-Wear|Waterproof|Volumising|Precision", "Mascara|Eyeliner|Brow Pencil|Lip Liner"),
        F(15, 45, "Satin|Matte|Sheer|Cream", "Lipstick|Blush|Concealer|Lip Gloss"),
        F(28, 65, "Luminous|Long-Wear|Skin-Tint|Mineral",
          "Foundation 30 ml|Setting Powder|Eyeshadow Palette"),
    ), cycle=90, complements=("b-skincare",)),
    L("b-fragrance", "Fragrance", "beauty", BEAUTY, 120, "one", (
        F(25, 60, "Fig & Cedar|Neroli|White Musk|Bergamot",
          "Body Lotion 200 ml|Hair Mist 30 ml|Shower Gel 250 ml"),
        F(45, 110, "Fig & Cedar|Vetiver|Neroli|Bergamot|Amber Wood",
          "Eau de Toilette 100 ml|Eau de Parfum 30 ml"),
        F(85, 260, "Oud Noir|Rose Absolue|Amber Wood|Vetiver|White Musk",
          "Eau de Parfum 50 ml|Eau de Parfum 100 ml"),
    ), cycle=180, complements=("h-decor",)),
    L("b-hair", "Hair", "beauty", BEAUTY, 90, "one", (
        F(8, 32, "Argan|Volumising|Colour-Protect|Curl|Moisture", "Shampoo 250 ml|Conditioner 250 ml"),
        F(14, 45, "Repair|Scalp-Care|Argan|Smoothing",
          "Hair Mask 200 ml|Styling Cream 100 ml|Hair Oil 50 ml"),
    ), cycle=45),
    L("h-kitchen", "Kitchen", "home", HOME, 120, "one", (
        F(9, 39, "Stoneware|Speckled|Enamel|Porcelain", "Mug|Espresso Cups (4)|Serving Bowl|Pasta Bowls (4)"),
        F(9, 25, "Linen|Waffle Cotton|Striped", "Tea Towels (2)|Apron"),
        F(25, 90, "Oak|Olive Wood|Walnut", "Chopping Board|Serving Board"),
        F(39, 160, "Stainless Steel|Carbon Steel|Damascus", "Chef's Knife 20 cm|Paring Knife 9 cm"),
        F(35, 140, "Stainless Steel|Carbon Steel|Non-Stick", "Frying Pan 28 cm|Sauté Pan 24 cm"),
        F(89, 380, "Cast-Iron|Copper|Enamelled Cast-Iron",
          "Casserole 24 cm|Saucepan 18 cm|Shallow Casserole 30 cm"),
    ), complements=("f-pantry",)),
    L("h-bedding", "Bedding", "home", HOME, 100, "one", (
        F(25, 120, "Percale|Organic Cotton|Sateen|Washed Linen", "Pillowcases (2)|Fitted Sheet, King"),
        F(69, 320, "Egyptian Cotton|Washed Linen|Sateen", "Duvet Cover, Double|Duvet Cover, King"),
        F(39, 260, "Waffle Cotton|Merino|Cashmere", "Throw"),
        F(120, 520, "Goose Down|Hungarian Goose Down|Wool", "Duvet 10.5 tog|Pillow Pair|Mattress Topper"),
    ), complements=("h-decor",)),
    L("h-decor", "Decor", "home", HOME, 110, "one", (
        F(12, 60, "Fig & Cedar|Amber|Linen|Tomato Leaf", "Scented Candle 300 g|Reed Diffuser 200 ml"),
        F(19, 140, "Hand-Thrown|Marble|Glass|Ceramic", "Vase|Tray|Bowl"),
        F(19, 89, "Linen|Velvet|Bouclé|Wool", "Cushion"),
        F(15, 60, "Oak|Brass|Silver-Plated", "Photo Frame"),
        F(89, 320, "Brass|Rattan|Ceramic|Oak", "Table Lamp|Round Mirror|Side Table"),
    ), complements=("h-bedding", "b-fragrance")),
    L("f-pantry", "Pantry", "food-hall", FOOD, 160, "one", (
        F(2, 6, "Bronze-Cut|Organic|Wholewheat", "Pasta 500 g|Linguine 500 g"),
        F(2, 6, "Organic|Jumbo|Stone-Ground", "Porridge Oats 1 kg|Granola 500 g"),
        F(3, 8, "Rosemary|Sea Salt|Rye", "Sourdough Crackers 150 g"),
        F(5, 16, "Single-Origin|Colombian|Ethiopian|Espresso", "Coffee Beans 250 g"),
        F(3, 12, "Darjeeling|Earl Grey|Assam|Jasmine", "Tea 100 g|Tea Bags (40)"),
        F(4, 25, "Wildflower|Acacia|Heather|Manuka", "Honey 340 g"),
        F(7, 28, "Sicilian|Cretan|Extra Virgin|Early Harvest", "Olive Oil 500 ml"),
        F(5, 30, "Aged|Modena|12-Year", "Balsamic Vinegar 250 ml"),
    ), cycle=30, complements=("f-drinks", "f-fresh")),
    L("f-drinks", "Drinks", "food-hall", FOOD, 120, "one", (
        F(2, 6, "Cloudy|Pressed|Organic", "Apple Juice 1 l|Orange Juice 1 l"),
        F(2, 6, "Sparkling|Traditional|Pink", "Lemonade 750 ml|Elderflower Pressé 750 ml"),
        F(8, 30, "Reserve|Organic|Old Vine|Estate", "Rioja 75 cl|Sauvignon Blanc 75 cl|Côtes du Rhône 75 cl"),
        F(25, 60, "Small-Batch|Navy Strength|Pink", "London Dry Gin 70 cl"),
        F(29, 90, "Vintage|Grand Cru|Rosé", "Champagne 75 cl"),
        F(35, 120, "Aged 12 Years|Islay|Speyside|Highland", "Single Malt Whisky 70 cl"),
    ), cycle=30, complements=("f-fresh", "f-sweets")),
    L("f-fresh", "Fresh", "food-hall", FOOD, 110, "one", (
        F(2, 5, "Free-Range|Organic|Burford Brown", "Eggs (6)"),
        F(2, 6, "Salted|Unsalted|Cultured", "Butter 250 g"),
        F(2, 6, "White|Seeded|Rye", "Sourdough Loaf"),
        F(1, 3, "Organic Whole|Semi-Skimmed|Jersey", "Milk 1 l"),
        F(4, 12, "Farmhouse|Mature|Vintage", "Cheddar 200 g"),
        F(5, 14, "18-Month|24-Month", "Comté 250 g"),
        F(6, 18, "Smoked|Oak-Smoked|Wild", "Salmon 200 g"),
        F(4, 9, "Chicken & Leek|Steak & Ale|Game", "Pie"),
    ), cycle=7, complements=("f-drinks", "f-pantry")),
    L("f-sweets", "Sweets", "food-hall", FOOD, 90, "one", (
        F(2, 10, "Dark Chocolate|Milk Chocolate|Salted Caramel|Raspberry",
          "Bar 100 g|Fudge 150 g|Buttons 120 g"),
        F(8, 40, "Dark Chocolate|Praline|Salted Caramel|Champagne",
          "Truffles 200 g|Selection Box 250 g|Macarons (12)"),
    ), cycle=21, complements=("f-drinks",)),
    L("f-halal", "Halal", "dietary", SENSITIVE, 20, "one", (
        F(3, 16, "Halal", "Lamb Merguez 400 g|Chicken Breast 500 g|Beef Mince 500 g|Chicken Shawarma 300 g"),
    ), cycle=14),
    L("f-kosher", "Kosher", "dietary", SENSITIVE, 20, "one", (
        F(3, 16, "Kosher", "Challah|Salt Beef 200 g|Matzo Crackers 300 g|Gefilte Fish 500 g"),
    ), cycle=14),
    L("hl-medicines", "Pain & cold relief", "health", SENSITIVE, 40, "one", (
        F(2, 9, "Rapid|Extra-Strength|Non-Drowsy|Night-Time",
          "Ibuprofen 200 mg (16)|Paracetamol 500 mg (16)|Cold & Flu Capsules (16)|Hay Fever Tablets (30)"),
    ), cycle=30),
    L("hl-vitamins", "Vitamins & supplements", "health", SENSITIVE, 40, "one", (
        F(5, 30, "Daily|High-Strength|Vegan|Slow-Release",
          "Vitamin D3 (90)|Omega-3 Capsules (60)|Magnesium (60)|Multivitamin (30)"),
    ), cycle=60),
    L("hl-first-aid", "First aid", "health", SENSITIVE, 20, "one", (
        F(2, 8, "Fabric|Waterproof|Blister", "Plasters (40)"),
        F(3, 7, "Antiseptic|Soothing", "Cream 30 g"),
        F(4, 25, "Travel|Family|Compact", "First Aid Kit"),
    )),
    L("hl-pregnancy-tests", "Pregnancy tests", "family-planning", SENSITIVE, 12, "one", (
        F(6, 20, "Digital|Early Result|Rapid", "Pregnancy Test (2)|Ovulation Test Kit"),
    )),
    L("hl-maternity", "Maternity care", "family-planning", SENSITIVE, 20, "one", (
        F(6, 30, "Gentle|Organic|Daily",
          "Pregnancy Multivitamin (28)|Stretch Mark Oil 100 ml|Nursing Pads (30)"),
    ), cycle=28),
    L("hl-contraception", "Contraception", "family-planning", SENSITIVE, 12, "one", (
        F(5, 18, "Ultra-Thin|Natural Feel|Latex-Free", "Condoms (12)"),
    ), cycle=30),
    L("hl-meal-replacements", "Meal replacements", "weight-management", SENSITIVE, 16, "one", (
        F(10, 35, "Chocolate|Vanilla|Strawberry", "Meal Replacement Shake 500 g|Meal Bars (10)"),
    ), cycle=30),
    L("hl-slimming", "Slimming aids", "weight-management", SENSITIVE, 10, "one", (
        F(12, 40, "Daily|Advanced", "Appetite Control Capsules (60)|Fat Binder Tablets (60)"),
    )),
    L("ad-intimate-care", "Intimate care", "adult", SENSITIVE, 12, "one", (
        F(6, 25, "Gentle|Water-Based|Sensitive", "Lubricant 50 ml|Intimate Wash 250 ml"),
    )),
    L("ad-adult", "Adult products", "adult", SENSITIVE, 10, "one", (
        F(25, 120, "Silk|Rechargeable", "Massage Oil Set|Personal Massager"),
    )),
)  # fmt: skip
