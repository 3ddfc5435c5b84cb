"""Everyday words for foods, and which forms of a food are common or rare.

``EVERYDAY`` maps what people type ("2% milk", "hard-boiled egg") to the words USDA uses
for the usual form of that food; the search gives a bonus to names containing them. Keys
and values are matched after ``text.words`` normalisation (singular, lower case).
"""

from __future__ import annotations

from functools import lru_cache

from nutrispine.foods.text import words

EVERYDAY: dict[str, str] = {
    # dairy
    "milk": "milk fluid whole 3.25% milkfat added vitamin d",
    "whole milk": "milk fluid whole 3.25% milkfat added vitamin d",
    "2% milk": "milk reduced fat fluid 2% milkfat added vitamin a vitamin d",
    "2 percent milk": "milk reduced fat fluid 2% milkfat added vitamin a vitamin d",
    "reduced fat milk": "milk fluid 2% milkfat added vitamin a vitamin d",
    "1% milk": "milk lowfat fluid 1% milkfat added vitamin a vitamin d",
    "low fat milk": "milk lowfat fluid 1% milkfat added vitamin a vitamin d",
    "skim": "milk nonfat fluid fat free skim added vitamin a vitamin d",
    "skim milk": "milk nonfat fluid fat free skim added vitamin a vitamin d",
    "nonfat milk": "milk nonfat fluid fat free skim added vitamin a vitamin d",
    "fat free milk": "milk nonfat fluid skim added vitamin a vitamin d",
    "chocolate milk": "milk chocolate fluid commercial reduced fat added vitamin a d",
    "soy milk": "soymilk original vanilla added calcium vitamins a d",
    "soymilk": "soymilk original vanilla added calcium vitamins a d",
    "almond milk": "beverage almond milk unsweetened shelf stable",
    "oat milk": "beverage oat milk",
    "yogurt": "yogurt plain low fat 12 grams protein per 8 ounce",
    "greek yogurt": "yogurt greek plain nonfat",
    "nonfat yogurt": "yogurt plain skim milk 13 grams protein per 8 ounce",
    "fat free yogurt": "yogurt plain skim milk 13 grams protein per 8 ounce",
    "whole milk yogurt": "yogurt plain whole milk 8 grams protein per 8 ounce",
    "cheese": "cheese cheddar",
    "cheddar": "cheese cheddar",
    "mozzarella": "cheese mozzarella whole milk",
    "cottage cheese": "cheese cottage lowfat 2% milkfat",
    "cream cheese": "cheese cream",
    "parmesan": "cheese parmesan grated",
    "swiss cheese": "cheese swiss",
    "ice cream": "ice cream vanilla",
    "butter": "butter salted",
    # eggs
    "egg": "egg whole raw fresh",
    "hard boiled egg": "egg whole cooked hard boiled",
    "hard boiled": "egg whole cooked hard boiled",
    "boiled egg": "egg whole cooked hard boiled",
    "scrambled egg": "egg whole cooked scrambled",
    "fried egg": "egg whole cooked fried",
    "poached egg": "egg whole cooked poached",
    "egg white": "egg white raw fresh",
    # fish
    "salmon": "fish salmon atlantic farmed cooked dry heat",
    "canned salmon": "fish salmon pink canned total can contents",
    "tuna": "fish tuna light canned water drained solid",
    "canned tuna": "fish tuna light canned water drained solid",
    "sardine": "fish sardine atlantic canned oil drained solid bone",
    "mackerel": "fish mackerel atlantic cooked dry heat",
    "cod": "fish cod atlantic cooked dry heat",
    "trout": "fish trout rainbow farmed cooked dry heat",
    "tilapia": "fish tilapia cooked dry heat",
    "herring": "fish herring atlantic pickled",
    "halibut": "fish halibut atlantic pacific cooked dry heat",
    "shrimp": "crustacean shrimp mixed specie cooked moist heat",
    "clam": "mollusk clam mixed specie cooked moist heat",
    "oyster": "mollusk oyster eastern wild raw",
    # meat
    "chicken": "chicken broiler fryer breast meat only cooked roasted",
    "chicken breast": "chicken broiler fryer breast meat only cooked roasted",
    "chicken thigh": "chicken broiler fryer thigh meat only cooked roasted",
    "ground beef": "beef ground 85% lean meat 15% fat patty cooked broiled",
    "hamburger": "beef ground 85% lean meat 15% fat patty cooked broiled",
    "steak": "beef top sirloin steak separable lean fat trimmed 1 8 fat all grade cooked broiled",
    "beef liver": "beef variety meat by product liver cooked pan fried",
    "liver": "beef variety meat by product liver cooked pan fried",
    "pork chop": "pork fresh loin center loin chop bone separable lean fat cooked broiled",
    "bacon": "pork cured bacon pan fried cooked",
    "ham": "ham sliced regular approximately 11% fat",
    "turkey": "turkey whole meat only cooked roasted",
    "turkey breast": "turkey breast meat only cooked roasted",
    # grains
    "oatmeal": "cereal oat regular quick unenriched cooked water without salt",
    "oat": "cereal oat regular quick unenriched cooked water without salt",
    "rice": "rice white long grain regular enriched cooked",
    "white rice": "rice white long grain regular enriched cooked",
    "brown rice": "rice brown long grain cooked",
    "pasta": "pasta cooked enriched without added salt",
    "spaghetti": "spaghetti cooked enriched without added salt",
    "noodle": "noodle egg cooked enriched",
    "quinoa": "quinoa cooked",
    "bread": "bread white commercially prepared",
    "white bread": "bread white commercially prepared",
    "toast": "bread white commercially prepared toasted",
    "whole wheat bread": "bread whole wheat commercially prepared",
    "whole grain bread": "bread multi grain",
    "bagel": "bagel plain enriched",
    "tortilla": "tortilla ready to bake fry flour",
    "corn tortilla": "tortilla ready to bake fry corn",
    # legumes, nuts, seeds
    "garbanzo": "chickpea garbanzo bean mature seed cooked boiled without salt",
    "chickpea": "chickpea garbanzo bean mature seed cooked boiled without salt",
    "hummus": "hummus commercial",
    "lentil": "lentil mature seed cooked boiled without salt",
    "black eyed pea": "cowpea common blackeye crowder southern mature seed cooked boiled unsalted",
    "black bean": "bean black mature seed cooked boiled without salt",
    "kidney bean": "bean kidney red mature seed cooked boiled without salt",
    "pinto bean": "bean pinto mature seed cooked boiled without salt",
    "bean": "bean black mature seed cooked boiled without salt",
    "baked bean": "bean baked canned plain vegetarian",
    "edamame": "edamame frozen prepared",
    "tofu": "tofu raw firm prepared calcium sulfate",
    "peanut butter": "peanut butter smooth style with salt",
    "peanut": "peanut all type dry roasted with salt",
    "almond": "nut almond",
    "cashew": "nut cashew nut raw",
    "walnut": "nut walnut english",
    "pecan": "nut pecan",
    "pistachio": "nut pistachio nut raw",
    "brazil nut": "nut brazilnut dried unblanched",
    "mixed nut": "nut mixed nut dry roasted with peanut with salt added",
    "pumpkin seed": "seed pumpkin squash seed kernel dried",
    "sunflower seed": "seed sunflower seed kernel dried",
    "chia seed": "seed chia seed dried",
    "chia": "seed chia seed dried",
    "flaxseed": "seed flaxseed",
    "sesame seed": "seed sesame seed whole dried",
    # vegetables and fruit
    "spinach": "spinach raw",
    "cooked spinach": "spinach cooked boiled drained without salt",
    "kale": "kale raw",
    "broccoli": "broccoli raw",
    "carrot": "carrot raw",
    "potato": "potato baked flesh skin without salt",
    "baked potato": "potato baked flesh skin without salt",
    "sweet potato": "sweet potato cooked baked skin flesh without salt",
    "mushroom": "mushroom white raw",
    "tomato": "tomato red ripe raw year round average",
    "avocado": "avocado raw all commercial variety",
    "apple": "apple raw with skin",
    "banana": "banana raw",
    "orange": "orange raw all commercial variety",
    "orange juice": "orange juice chilled includes from concentrate",
    "fortified orange juice": "orange juice chilled includes from concentrate fortified calcium vitamin d",
    "strawberry": "strawberry raw",
    "blueberry": "blueberry raw",
    "corn flake": "cereal ready to eat kellogg corn flake",
    "fortified cereal": "cereal ready to eat general mill cheerio",
    "breakfast cereal": "cereal ready to eat general mill cheerio",
    "raisin": "raisin seedless",
    "grape": "grape red green european type such thompson seedless raw",
    "fig": "fig dried uncooked",
    "dark chocolate": "chocolate dark 70 85% cacao solid",
    "coffee": "beverage coffee brewed prepared tap water",
    "tea": "beverage tea black brewed prepared tap water",
    "water": "beverage water tap drinking",
}

COOKED_WORDS = frozenset(
    words(
        "cooked boiled roasted baked broiled grilled fried steamed poached scrambled "
        "braised stewed simmered microwaved toasted dryheat moistheat sauteed"
    )
)
# Forms people rarely mean unless they say so.
RARE_WORDS = frozenset(
    words(
        "dehydrated dried powder powdered freeze imitation infant toddler babyfood junior "
        "strained restaurant frozen canned concentrate unprepared dry mix imported "
        "sweetened flavored lowsodium sodium industrial commercial glazed breaded stuffed "
        "formula substitute analog nfs ns composite salted unfortified"
    )
)
# Words in USDA names that say little about which food it is (no penalty when unasked).
NEUTRAL_WORDS = frozenset(
    words(
        "raw fresh cooked unsalted all commercial variety fluid whole plain regular "
        "added vitamin a d includes usda commodity food mature seed drained solid "
        "meat only boiled roasted dryheat moistheat grade type species mixed average"
    )
)
GROUP_PENALTY: dict[str, float] = {
    "Baby Foods": 7.0,
    "Fast Foods": 3.5,
    "Restaurant Foods": 3.5,
    "American Indian/Alaska Native Foods": 5.0,
    "Meals, Entrees, and Side Dishes": 2.0,
    "Snacks": 1.0,
}
# Words that say how a food was prepared or cut rather than which food it is: a name need not
# contain them for a match to count as complete.
SOFT_WORDS = COOKED_WORDS | frozenset(words(
    "chopped sliced diced shredded mashed grated cubed halved crumbled packed melted fresh raw "
    "plain organic homemade home made large small medium whole cooked piece"))
# Words USDA spells another way in some names (each side normalised).
ALTERNATES: dict[str, tuple[str, ...]] = {
    "nonfat": ("skim",), "skim": ("nonfat",), "pea": ("cowpea",), "garbanzo": ("chickpea",),
    "chickpea": ("garbanzo",), "lowfat": ("low",), "fortified": ("added", "enriched"),
}

# USDA food groups whose foods are usually eaten cooked (rice, beans, meat, fish).
COOKED_BY_DEFAULT_GROUPS = frozenset(
    {
        "Legumes and Legume Products",
        "Cereal Grains and Pasta",
        "Poultry Products",
        "Pork Products",
        "Beef Products",
        "Lamb, Veal, and Game Products",
        "Finfish and Shellfish Products",
    }
)


@lru_cache(maxsize=1)
def _phrases() -> list[tuple[str, list[str], list[str]]]:
    """Every everyday phrase, longest first, space-padded: a whole-word search is then a plain
    substring test (no regular expressions to compile on every run)."""
    out = []
    for key in sorted(EVERYDAY, key=lambda k: -len(k)):
        norm = words(key)
        out.append((f" {' '.join(norm)} ", norm, words(EVERYDAY[key])))
    return out


def expand(text: str) -> tuple[list[str], list[str]]:
    """(the everyday phrase's words, its hint words) for the longest phrase in ``text``."""
    padded = f" {' '.join(words(text))} "
    for phrase, key, hint in _phrases():
        if phrase in padded:
            return key, hint
    return [], []
