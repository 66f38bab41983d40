"""Word lists for ``bench/synthetic.py``'s realistic text generator: the head of its vocabulary.

Written for the generator (lists of common English words of politics, no text taken from anywhere): the
words a political text uses most, grouped by theme so that the generator's topics have recognisable heads;
the function words and short phrases written between them; the contested words and faction names the
``meaning`` and ``mentions`` stages read, with rates per million terms; and the skeleton of the lines an
outlet repeats (headers, imprints) for boilerplate detection. What is generated from them is labelled
synthetic (``bench/synthetic.py``).
"""
from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


#: The most used content words of political prose, most frequent first (roughly): the head of the common
#: vocabulary. Multi-word entries are written with ``_`` and come out of the text as two words.
GENERAL = _words("""
government people new work service year need britain policy labour good support public local increase
national right system school country provide ensure child help world time british development economic fund
party health pay industry benefit plan change future society social political private free fair strong modern
major important effective high low long young old decade generation today opportunity choice responsibility
commitment promise record number level area problem issue step action measure proposal scheme programme resource
money cost place member group individual organisation family home job worker life way week month sector standard
quality investment growth tax economy market business trade rate price income wage education training skill
housing council authority region town city village rural urban land law justice police crime court security
defence europe european nation international peace war force freedom liberty citizen vote election parliament
minister leader office state reform rule control decision interest value principle aim goal task challenge
success failure crisis cut rise fall loss gain share benefit pension welfare poverty wealth equality opportunity
fairness enterprise competition ownership industry energy environment transport road rail water food farming
improve create build develop introduce encourage protect maintain promote achieve reduce allow extend establish
propose continue expand strengthen guarantee deliver invest spend raise tackle replace restore review remove
million billion cent percentage total average general special long_term short_term
local_authority trade_union public_service health_service public_sector private_sector small_business
interest_rate minimum_wage young_people working_people living_standard national_insurance income_tax
""")

#: Themes: each is the head of some of the generator's topics (a topic is a theme's words first, in its own
#: order, then the rest of the vocabulary in a permuted order).
THEMES = {
    "economy": """economy economic growth investment industry business market export import manufacturing
        productivity inflation price interest bank finance capital enterprise firm competition sector output
        recovery recession budget deficit debt borrowing spending treasury regulation infrastructure innovation
        technology research profit shareholder currency sterling exchange stability confidence investor""",
    "welfare": """tax taxation income pension benefit welfare poverty allowance credit contribution family carer
        disability insurance payment threshold relief saving pensioner unemployment claimant entitlement living
        cost household allowance hardship dignity independence widow maternity childcare subsidy""",
    "health": """health hospital doctor nurse patient care treatment waiting medicine surgery clinic illness
        disease prescription dentist ambulance staff trust prevention cancer maternity elderly ward bed
        consultant therapy screening vaccine practitioner pharmacy wellbeing""",
    "education": """education school pupil teacher student university college training qualification curriculum
        class learning nursery apprenticeship exam grant fee degree literacy parent teaching academy
        comprehensive selection classroom lecturer graduate numeracy inspection""",
    "housing": """housing house rent tenant landlord council mortgage building estate planning land property
        homelessness owner occupier construction development town city village neighbourhood flat street
        repair renovation tenancy leasehold shelter""",
    "work": """work worker employment job union strike employer employee workplace wage hour contract pay
        bargaining dismissal apprentice labour industrial factory shop steward membership solidarity
        cooperative redundancy overtime pension shift safety tribunal""",
    "constitution": """parliament government minister constitution reform election vote voter referendum
        representation devolution assembly citizen right freedom liberty justice law court accountability
        transparency lord commons monarchy federal decentralisation scrutiny chamber legislation statute
        mandate sovereignty""",
    "environment": """environment energy climate emission carbon pollution coal nuclear oil gas renewable wind
        solar transport railway road bus motorway countryside farming agriculture farmer food water waste
        recycling conservation wildlife fishing forest flood""",
    "foreign": """defence security war peace weapon army navy force alliance treaty commonwealth world
        international aid sanction conflict terrorism border immigration asylum migrant refugee diplomacy
        overseas embassy troop ally summit disarmament""",
    "justice": """crime police prison offender sentence victim court justice criminal officer law order
        punishment violence safety probation youth judge jury detention fraud prosecution witness custody
        rehabilitation""",
    "party": """party socialist capitalism conservative liberal tory movement member leader leadership
        conference manifesto programme principle value fairness opportunity class radical progressive
        tradition ideology vision compromise faction left right centre coalition opposition candidate campaign
        activist branch constituency""",
    "nations": """scotland wales england ireland london north south regional region county border island
        language culture heritage identity borough city assembly devolved highland coast""",
}

#: Written with a capital (names of places, parties, institutions) wherever they occur.
CAPITALISED = frozenset(_words("""britain british europe european labour conservative tory liberal commonwealth scotland
    wales england ireland london parliament treasury"""))

#: Written in capitals (acronyms).
ACRONYMS = frozenset(("nhs", "eu", "uk", "vat", "nato", "un"))

#: Extra entries of the common vocabulary (with :data:`GENERAL`): acronyms and plural-only words.
EXTRA = ["nhs", "eu", "uk", "vat", "nato"]

#: The contested words of the ``meaning`` stage (``nlp.stages.scaling.CONTESTED``) and two more, with their
#: rate per million terms (about what the UK manifestos give them: "community" 4,200, "power" 3,000,
#: "democracy" 950, "ownership" 940 with "public ownership", "socialism" 250; "pluralism", 7 there, is more of
#: a press word) and how their use tilts with a document's position (rate ∝ exp(tilt θ), θ < 0 towards the
#: hard left).
CONTESTED = {"community": (4500, 0.1), "power": (3300, -0.2), "democracy": (1100, 0.2), "ownership": (900, -0.7),
             "socialism": (250, -1.0), "equality": (700, -0.4), "aspiration": (120, 1.0), "pluralism": (30, 0.6)}

#: Faction names as written (the shipped vocabulary merges them into one term each: ``nlp/text/vocabulary.toml``),
#: with their term, rate per million terms and tilt.
FACTIONS = {"soft left": ("soft_left", 40, 0.5), "hard left": ("hard_left", 40, -0.5),
            "Momentum": ("momentum", 30, -1.0), "Tribune Group": ("tribune_group", 10, 0.3),
            "Socialist Campaign Group": ("socialist_campaign_group", 12, -1.2),
            "Labour First": ("labour_first", 8, 1.0), "Progressive Britain": ("progressive_britain", 8, 1.2),
            "Compass": ("compass", 10, 0.4), "Blue Labour": ("blue_labour", 5, 0.8),
            "Labour Together": ("labour_together", 6, 0.6)}

#: Function words and short phrases written before a content word, with relative weights: most content words
#: get one, some none ("public services"), some two or three words ("will be able to").
GLUE = {
    "the": 120, "of the": 60, "to": 55, "and": 50, "a": 30, "in": 30, "of": 30, "for": 26, "in the": 26,
    "to the": 18, "that": 16, "is": 14, "will": 22, "we will": 18, "by": 12, "with": 12, "on": 12, "are": 10,
    "be": 10, "an": 8, "as": 10, "from": 8, "at": 8, "this": 8, "our": 14, "their": 8, "all": 8, "more": 10,
    "have": 8, "has": 6, "which": 8, "it": 6, "not": 6, "must": 6, "should": 5, "can": 5, "been": 4, "its": 4,
    "these": 4, "they": 5, "was": 5, "or": 8, "but": 5, "such as": 3, "so that": 2, "who": 4, "would": 4,
    "we": 8, "there is": 3, "there are": 3, "into": 3, "through": 3, "between": 2, "within": 2,
    "over": 3, "under": 2, "also": 4, "only": 2, "every": 3, "each": 2, "those": 2, "its own": 1, "much": 1,
    "and the": 10, "for the": 8, "on the": 8, "with the": 6, "by the": 5, "at the": 4, "from the": 4,
    "will be": 8, "to be": 6, "has been": 3, "have been": 3, "it is": 4, "we have": 4, "we shall": 2,
    "will continue to": 2, "will be able to": 1, "as well as": 2, "more than": 2, "in order to": 1,
    "in which": 1, "because": 2, "if": 2, "when": 2, "where": 1, "whether": 1, "however": 1, "therefore": 1,
    "do not": 2, "does not": 1, "cannot": 1, "too": 1, "very": 1, "most": 2, "some": 3, "many": 3, "other": 3,
    "own": 1, "no": 2, "any": 2, "both": 1, "than": 2, "about": 2, "against": 1, "without": 1, "after": 1,
    "before": 1, "during": 1, "towards": 1, "upon": 1, "whose": 1, "than the": 1, "one": 1, "two": 1,
}

#: Share of content words written with no function word before them.
BARE_SHARE = 0.12

#: Outlets' recurring lines: filled with an outlet's invented names (``{outlet}``, ``{name}``, ``{place}``,
#: ``{number}``), a header and an imprint each, written in about half of the outlet's articles.
BOILERPLATE = ("{outlet} — independent voice of the {name} movement",
               "Published and promoted by {name} on behalf of {outlet}, {number} {place} Road, {place}.")
