#!/usr/bin/env python3
"""Generate a synthetic `briefing` site for benchmarks.

    python3 bench/gen_site.py --count N --out DIR [--seed S] [--force]

Writes DIR/site.toml, DIR/content/briefings/_index.md and N briefings named
DIR/content/briefings/<YYYY-MM-DD>-<slug>.md.

Output is a pure function of (N, seed): everything is drawn from one
random.Random(seed) stream plus a second stream for the fixed "world" (people,
places, organisations, topic affinities). No clock, no hash() of strings, no
iteration over unordered sets. Article i depends only on articles 0..i, so a
smaller corpus is a prefix of a larger one with the same seed.

Python 3.11+ standard library only.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import re
import sys
import time
import unicodedata
from random import Random

# ---------------------------------------------------------------------------
# Static vocabulary
# ---------------------------------------------------------------------------

SITE_TOML = (
    'title = "Synthetic briefings"\n'
    'description = "A generated benchmark corpus"\n'
    'base_url = "https://bench.example.org/"\n'
)
INDEX_MD = '+++\ntitle = "Briefings"\n+++\n'

OUTLETS = [
    "The Meridian Ledger",
    "Harbour Daily Wire",
    "Continental Dispatch",
    "The Evening Courier",
    "Northbridge Times",
    "Global Briefing Service",
    "The Coastal Observer",
    "Capital Markets Bulletin",
    "The Frontier Post",
    "Daybreak Newswire",
]

# (name as used in prose, region tag, country name, demonym or None for cities)
# Countries carry their demonym; cities name the country they belong to.
PLACES = [
    ("Kenya", "africa", "Kenya", "Kenyan"),
    ("Nigeria", "africa", "Nigeria", "Nigerian"),
    ("Egypt", "africa", "Egypt", "Egyptian"),
    ("Ethiopia", "africa", "Ethiopia", "Ethiopian"),
    ("South Africa", "africa", "South Africa", "South African"),
    ("Ghana", "africa", "Ghana", "Ghanaian"),
    ("Morocco", "africa", "Morocco", "Moroccan"),
    ("Nairobi", "africa", "Kenya", None),
    ("Lagos", "africa", "Nigeria", None),
    ("Cairo", "africa", "Egypt", None),
    ("Addis Ababa", "africa", "Ethiopia", None),
    ("Johannesburg", "africa", "South Africa", None),
    ("Germany", "europe", "Germany", "German"),
    ("France", "europe", "France", "French"),
    ("Poland", "europe", "Poland", "Polish"),
    ("Italy", "europe", "Italy", "Italian"),
    ("Spain", "europe", "Spain", "Spanish"),
    ("Ukraine", "europe", "Ukraine", "Ukrainian"),
    ("Greece", "europe", "Greece", "Greek"),
    ("Norway", "europe", "Norway", "Norwegian"),
    ("the U.K.", "europe", "the U.K.", "British"),
    ("Brussels", "europe", "Belgium", None),
    ("Berlin", "europe", "Germany", None),
    ("Paris", "europe", "France", None),
    ("Warsaw", "europe", "Poland", None),
    ("Rome", "europe", "Italy", None),
    ("Madrid", "europe", "Spain", None),
    ("Kyiv", "europe", "Ukraine", None),
    ("Oslo", "europe", "Norway", None),
    ("London", "europe", "the U.K.", None),
    ("Japan", "asia", "Japan", "Japanese"),
    ("India", "asia", "India", "Indian"),
    ("Indonesia", "asia", "Indonesia", "Indonesian"),
    ("Vietnam", "asia", "Vietnam", "Vietnamese"),
    ("the Philippines", "asia", "the Philippines", "Philippine"),
    ("South Korea", "asia", "South Korea", "South Korean"),
    ("Tokyo", "asia", "Japan", None),
    ("New Delhi", "asia", "India", None),
    ("Jakarta", "asia", "Indonesia", None),
    ("Hanoi", "asia", "Vietnam", None),
    ("Manila", "asia", "the Philippines", None),
    ("Seoul", "asia", "South Korea", None),
    ("Singapore", "asia", "Singapore", "Singaporean"),
    ("Saudi Arabia", "middle east", "Saudi Arabia", "Saudi"),
    ("Jordan", "middle east", "Jordan", "Jordanian"),
    ("Qatar", "middle east", "Qatar", "Qatari"),
    ("Turkey", "middle east", "Turkey", "Turkish"),
    ("Riyadh", "middle east", "Saudi Arabia", None),
    ("Amman", "middle east", "Jordan", None),
    ("Doha", "middle east", "Qatar", None),
    ("Istanbul", "middle east", "Turkey", None),
    ("the U.S.", "americas", "the U.S.", "U.S."),
    ("Brazil", "americas", "Brazil", "Brazilian"),
    ("Mexico", "americas", "Mexico", "Mexican"),
    ("Canada", "americas", "Canada", "Canadian"),
    ("Argentina", "americas", "Argentina", "Argentine"),
    ("Chile", "americas", "Chile", "Chilean"),
    ("Colombia", "americas", "Colombia", "Colombian"),
    ("Washington", "americas", "the U.S.", None),
    ("Ottawa", "americas", "Canada", None),
    ("Mexico City", "americas", "Mexico", None),
    ("São Paulo", "americas", "Brazil", None),
    ("Buenos Aires", "americas", "Argentina", None),
    ("Bogotá", "americas", "Colombia", None),
    ("Australia", "oceania", "Australia", "Australian"),
    ("New Zealand", "oceania", "New Zealand", "New Zealand"),
    ("Canberra", "oceania", "Australia", None),
    ("Wellington", "oceania", "New Zealand", None),
    ("Sydney", "oceania", "Australia", None),
]

# Invented organisations: (name without article, domain).
ORGS = [
    ("Northern Grain Council", "agriculture"),
    ("Federation of Small Farmers", "agriculture"),
    ("Coastal Fisheries Board", "agriculture"),
    ("Continental Monetary Institute", "finance"),
    ("Horizon Development Bank", "finance"),
    ("Sovereign Creditors Group", "finance"),
    ("Harbour Workers' Union", "labour"),
    ("Union of Transport Workers", "labour"),
    ("Council of Pension Trustees", "labour"),
    ("Meridian Energy Forum", "energy"),
    ("Regional Power Exchange", "energy"),
    ("Association of Independent Refiners", "energy"),
    ("Green Transition Fund", "climate"),
    ("Institute of Climate Economics", "climate"),
    ("Council on Water Resources", "climate"),
    ("Alliance of Coastal States", "climate"),
    ("Eastern Trade Bloc Secretariat", "trade"),
    ("Exporters' Chamber of Commerce", "trade"),
    ("Tariff Review Commission", "trade"),
    ("Centre for Security Studies", "security"),
    ("Joint Peace Monitoring Mission", "security"),
    ("Defence Procurement Agency", "security"),
    ("Commission for Electoral Integrity", "politics"),
    ("Anti-Corruption Watch", "politics"),
    ("Forum for Migration Policy", "politics"),
    ("International Relief Coalition", "politics"),
    ("Institute for Fiscal Stability", "economy"),
    ("Central Statistics Bureau", "economy"),
    ("League of Consumer Groups", "economy"),
    ("Tourism Recovery Board", "economy"),
    ("Global Ports Federation", "transport"),
    ("Atlantic Freight Association", "transport"),
    ("Continental Rail Authority", "transport"),
    ("Maritime Safety Agency", "transport"),
    ("Silicon Corridor Association", "tech"),
    ("Digital Rights Observatory", "tech"),
    ("Cyber Resilience Centre", "tech"),
    ("Space Industry Council", "tech"),
    ("Pan-Regional Health Alliance", "health"),
    ("Society of Medical Practitioners", "health"),
    ("Federation of Steel Producers", "industry"),
    ("Strategic Minerals Initiative", "industry"),
    ("Southern Mining Consortium", "industry"),
]

FIRST_NAMES = """
Lena Amara Tomas Yusuf Ingrid Mateo Priya Kofi Sofia Hiroshi Elena Rashid
Marta Daniel Aisha Viktor Chloe Rafael Nadia Jonas Leila Samuel Yara Anders
Camila Tariq Hana Felix Zanele Marco Irina Omar Beatriz Kwame Lucia Arjun
Greta Emeka Noor Pablo Mei Stefan Fatima Julien Ana Kenji Olga Diego Nia
Henrik Rosa Malik Clara Sipho Iris Farid Paula Ravi Eva Bongani Teresa Idris
Marisol Lukas Ayumi Dmitri Esther Karim Helena Tendai Ines Aleksander Wanjiru
Gustavo Maya Nikolai Adaeze Oscar Selin Ruth Thabo Vera Emre Dalia Hugo Asha
""".split()

LAST_NAMES = """
Okafor Lindqvist Moreau Haddad Brennan Castillo Nakamura Mensah Petrova Kowalski
Abubakar Delgado Fischer Osei Romano Tanaka Varga Achebe Bergstrom Chaudhry
Dimitriou Eriksen Fonseca Gallagher Horvat Ibrahim Jansen Kariuki Larsen Mbeki
Novak Oyelaran Pereira Quintero Rahman Sandoval Takahashi Umarov Valdez Wojcik
Yilmaz Zhou Adeyemi Bauer Cordero Dlamini Esposito Falk Gonzaga Hakimi Ivanova
Jovanovic Kamau Lopes Mwangi Nieminen Olsen Park Rossi Sato Toure Ueda Vasquez
Weber Xavier Yamamoto Zeller Amoah Bianchi Cruz Dahl Eze Fernandes Grieve
Halvorsen Iqbal Juarez Kaplan Lombardi Mahlangu Nunez Oduya Pillai Rinaldi
Stavros Tembo Urquhart Vidal Wanjala Acosta Boateng Ciobanu Duarte Ekwueme
Ferrante Gathoni Holm Ilunga Jaramillo Kagame Lund Marchetti Njoroge Ortega
Pavlenko Quaye Reyes Solberg Tiwari Uzor Villanueva Winther Yeboah Zapata
Andersen Bakr Chikwanha Demir Ebrahim Forsberg Gutierrez Hosseini Ikeda Joshi
Kruger Lindgren Mutasa Navarro Okonkwo Pretorius Quispe Ruiz Szabo Takeda
Ulloa Vlahos Wiśniewski Yusupov Zamora Aguilar Bello Costa Dube Esteban
Fagerlund Giordano Hussein Iwu Jurado Kovacs Leclerc Mensa Nordin Obi
Paredes Rautio Salazar Thorsen Uche Vieira Wallin Yadav Zidane Arce Brandt
""".split()

# (kind, title, domain). Organisation roles take their domain from the org.
ROLES = [
    ("gov", "Foreign Minister", "politics"),
    ("gov", "Finance Minister", "economy"),
    ("gov", "Trade Minister", "trade"),
    ("gov", "Energy Minister", "energy"),
    ("gov", "Health Minister", "health"),
    ("gov", "Agriculture Minister", "agriculture"),
    ("gov", "Labour Minister", "labour"),
    ("gov", "Defence Minister", "security"),
    ("gov", "Interior Minister", "politics"),
    ("gov", "Transport Minister", "transport"),
    ("gov", "Environment Minister", "climate"),
    ("gov", "Digital Affairs Minister", "tech"),
    ("gov", "Industry Minister", "industry"),
    ("gov", "Prime Minister", "politics"),
    ("gov", "President", "politics"),
    ("gov", "Central Bank Governor", "finance"),
    ("gov", "Deputy Finance Minister", "finance"),
    ("gov", "Fisheries Minister", "agriculture"),
    ("sen", "Sen.", "politics"),
    ("amb", "Ambassador", "trade"),
    ("mil", "Gen.", "security"),
    ("mil", "Adm.", "security"),
    ("expert", "Dr.", "health"),
    ("expert", "Dr.", "climate"),
    ("expert", "Prof.", "economy"),
    ("expert", "Dr.", "tech"),
    ("org", "chief executive", None),
    ("org", "chair", None),
    ("org", "secretary-general", None),
    ("org", "chief economist", None),
    ("org", "spokesperson", None),
    ("org", "director", None),
]

# Topics: (tag, domain, phrases). Phrases are noun phrases that read well
# after "the"; they are the shared vocabulary of a topic hub.
TOPICS = [
    ("grain exports", "agriculture", [
        "grain export corridor", "wheat shipments", "harvest forecast", "grain silo capacity",
        "export quota", "bulk carrier bookings", "maize market", "Black Sea route",
        "milling wheat supply", "grain inspection backlog", "storage losses", "grain deal"]),
    ("rate decision", "finance", [
        "central bank rate decision", "benchmark interest rate", "inflation target",
        "policy committee", "rate path", "bond market", "forward guidance",
        "tightening cycle", "mortgage rates", "rate cut debate", "monetary stance",
        "core inflation reading"]),
    ("port strikes", "labour", [
        "port strike", "dockworkers' pay dispute", "container backlog", "wage talks",
        "picket lines", "crane operators' walkout", "cargo delays", "terminal operators",
        "overtime ban", "arbitration panel", "strike ballot", "dock closures"]),
    ("energy prices", "energy", [
        "gas price spike", "winter gas storage", "electricity tariffs", "wholesale power market",
        "energy price cap", "LNG cargoes", "heating subsidies", "grid operator",
        "peak demand", "household fuel bills", "pipeline flows"]),
    ("oil supply", "energy", [
        "crude output", "production quota", "refinery maintenance", "Brent crude benchmark",
        "oil inventories", "tanker rates", "spare capacity", "output cut",
        "fuel exports", "drilling permits", "oil price slide"]),
    ("renewables", "energy", [
        "offshore wind auction", "solar capacity", "battery storage", "grid connection queue",
        "renewable subsidies", "turbine orders", "power purchase agreements",
        "green hydrogen plant", "transmission line project", "curtailment payments"]),
    ("climate talks", "climate", [
        "emissions targets", "climate finance pledge", "carbon border levy",
        "loss and damage fund", "methane commitments", "national climate plans",
        "coal phase-out", "adaptation funding", "negotiating text", "carbon market rules"]),
    ("extreme weather", "climate", [
        "heatwave", "flood defences", "drought", "wildfire season", "storm damage",
        "evacuation orders", "rainfall deficit", "insurance claims", "emergency shelters",
        "river levels", "crop damage"]),
    ("trade talks", "trade", [
        "free trade agreement", "tariff schedule", "market access offer", "rules of origin",
        "negotiating round", "trade deficit", "import duties", "dispute settlement mechanism",
        "customs checks", "export controls", "trade truce"]),
    ("sanctions", "security", [
        "sanctions package", "asset freeze", "export ban", "sanctions evasion",
        "shadow fleet", "travel bans", "frozen reserves", "secondary sanctions",
        "compliance checks", "enforcement unit", "oil price cap"]),
    ("elections", "politics", [
        "election campaign", "polling stations", "voter turnout", "coalition talks",
        "opinion polls", "electoral commission ruling", "runoff vote", "campaign finance rules",
        "ballot count", "party leadership contest"]),
    ("budget", "economy", [
        "budget deficit", "spending review", "fiscal rules", "tax revenue", "public debt",
        "spending cuts", "budget vote", "borrowing plans", "welfare spending",
        "capital investment programme"]),
    ("inflation", "economy", [
        "consumer prices", "food inflation", "price index", "cost of living",
        "wage growth", "household spending", "rent increases", "services inflation",
        "headline inflation rate", "inflation outlook"]),
    ("jobs", "labour", [
        "unemployment rate", "payrolls report", "job vacancies", "youth unemployment",
        "labour shortages", "hiring freeze", "minimum wage", "participation rate",
        "layoffs", "vocational training scheme"]),
    ("housing", "economy", [
        "housing market", "mortgage approvals", "house prices", "building permits",
        "social housing", "rental market", "construction costs", "planning reforms",
        "first-time buyers", "housing starts"]),
    ("banking", "finance", [
        "bank capital rules", "deposit outflows", "loan defaults", "stress tests",
        "bank merger", "credit growth", "non-performing loans", "lending standards",
        "deposit insurance scheme", "liquidity buffers"]),
    ("currency", "finance", [
        "exchange rate", "currency intervention", "foreign exchange reserves", "currency peg",
        "devaluation", "capital controls", "remittance flows", "dollar funding squeeze",
        "currency swap line", "import cover"]),
    ("debt restructuring", "finance", [
        "debt restructuring", "bondholders", "debt relief", "lending programme", "haircut",
        "creditor committee", "repayment schedule", "sovereign default", "Eurobond",
        "bailout talks", "debt service costs"]),
    ("shipping", "transport", [
        "shipping lanes", "freight rates", "container rates", "canal transits",
        "vessel diversions", "war risk insurance", "port congestion", "naval escorts",
        "charter rates", "shipping insurers"]),
    ("aviation", "transport", [
        "airline capacity", "flight cancellations", "jet fuel costs", "air traffic control",
        "airport expansion", "landing slots", "aircraft deliveries", "passenger numbers",
        "pilot shortages", "airspace closures"]),
    ("rail and roads", "transport", [
        "high-speed rail line", "rail freight", "track upgrades", "infrastructure fund",
        "station redevelopment", "signalling contract", "construction delays",
        "cost overruns", "toll road concession", "bridge repairs"]),
    ("semiconductors", "tech", [
        "chip plant", "semiconductor supply", "wafer output", "chip export rules",
        "foundry capacity", "chip subsidies", "advanced packaging", "memory prices",
        "fabrication tools", "chip shortage"]),
    ("ai regulation", "tech", [
        "artificial intelligence rules", "model audits", "data protection", "algorithmic transparency",
        "safety testing regime", "liability regime", "regulatory sandbox", "compute thresholds",
        "deepfake labelling", "oversight board"]),
    ("cybersecurity", "tech", [
        "cyber attack", "ransomware group", "data breach", "critical infrastructure",
        "incident response", "security patch", "hacking campaign", "network outage",
        "encryption standards", "cyber defence unit"]),
    ("telecoms", "tech", [
        "5G spectrum auction", "broadband rollout", "mobile operators", "subsea cable",
        "network sharing deal", "spectrum licences", "rural coverage", "roaming charges",
        "satellite internet", "fibre network"]),
    ("public health", "health", [
        "vaccination campaign", "hospital capacity", "outbreak response", "disease surveillance",
        "case numbers", "health ministry guidance", "testing centres", "infection rate",
        "intensive care beds", "public health alert"]),
    ("drug pricing", "health", [
        "drug prices", "generic medicines", "medicine shortages", "pharmaceutical tariffs",
        "clinical trials", "patent extension", "reimbursement list", "insulin supply",
        "procurement tender", "drug approval"]),
    ("migration", "politics", [
        "asylum applications", "border crossings", "migration pact", "deportation flights",
        "reception centres", "work visas", "labour migration", "border patrols",
        "resettlement quotas", "visa backlog"]),
    ("defence spending", "security", [
        "defence budget", "military procurement", "air defence systems", "ammunition production",
        "troop deployment", "joint exercises", "arms deal", "defence industrial base",
        "conscription plans", "naval patrols"]),
    ("ceasefire", "security", [
        "ceasefire talks", "humanitarian corridor", "prisoner exchange", "peace plan",
        "truce violations", "monitoring mission", "frontline positions", "mediation effort",
        "security guarantees", "buffer zone"]),
    ("humanitarian aid", "politics", [
        "food aid", "humanitarian appeal", "refugee camps", "aid funding gap",
        "relief flights", "emergency rations", "displacement figures", "donor conference",
        "water supplies", "field hospitals"]),
    ("mining", "industry", [
        "lithium mine", "copper output", "mining royalties", "critical minerals",
        "ore exports", "mining licence", "smelter expansion", "cobalt supply",
        "rare earth processing", "exploration permits"]),
    ("manufacturing", "industry", [
        "factory output", "purchasing managers' index", "new export orders",
        "supply chain disruption", "auto production", "industrial policy", "input costs",
        "plant closures", "order backlog", "capacity utilisation"]),
    ("tourism", "economy", [
        "tourist arrivals", "hotel occupancy", "visa waiver", "tourism revenue",
        "cruise season", "short-term rentals", "holiday bookings", "tourist tax",
        "airline routes", "visitor spending"]),
    ("fisheries", "agriculture", [
        "fishing quotas", "fishing fleet", "fish stocks", "marine protected area",
        "fisheries agreement", "catch limits", "illegal fishing", "aquaculture farms",
        "coastal communities", "processing plants"]),
    ("water security", "climate", [
        "water rationing", "reservoir levels", "desalination plant", "river treaty",
        "irrigation schemes", "groundwater depletion", "dam project", "water tariffs",
        "leak repairs", "water allocation"]),
    ("corruption probe", "politics", [
        "corruption inquiry", "anti-graft agency", "procurement scandal", "court hearing",
        "bribery charges", "asset declarations", "whistleblower testimony", "audit report",
        "judicial review", "parliamentary inquiry"]),
    ("pensions", "labour", [
        "pension reform", "retirement age", "pension fund", "contribution rates",
        "pension payments", "general strike", "reform bill", "actuarial review",
        "early retirement", "public sector pensions"]),
    ("food security", "agriculture", [
        "food prices", "rice stocks", "fertiliser supply", "crop failure",
        "school meals programme", "price controls", "strategic reserves", "food import bill",
        "farm subsidies", "livestock losses"]),
    ("space", "tech", [
        "satellite launch", "space agency budget", "launch vehicle", "lunar mission",
        "orbital debris", "earth observation satellites", "launch pad", "space station module",
        "satellite constellation", "navigation system"]),
]

DOMAINS = sorted({t[1] for t in TOPICS})


def _is_plural(phrase: str) -> bool:
    """Rough number of a topic phrase, for verb agreement ("strikes are")."""
    last = phrase.split()[-1]
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


PLURAL = {p: _is_plural(p) for t in TOPICS for p in t[2]}

GROUPS = [
    "officials", "analysts", "investors", "traders", "diplomats", "negotiators",
    "economists", "residents", "farmers", "workers", "regulators", "lawmakers",
    "industry executives", "union leaders", "business groups", "opposition politicians",
    "aid agencies", "shipping companies", "bankers", "consumer groups", "local leaders",
    "observers", "campaigners", "small businesses", "exporters", "importers",
    "insurers", "bondholders", "European officials", "Western diplomats",
    "government advisers", "industry insiders", "security experts", "health workers",
    "transport operators", "rating agencies",
]
REPORT_VERBS = [
    "said", "said", "said", "warned", "added", "noted", "argued", "insisted",
    "acknowledged", "cautioned", "stressed", "conceded", "predicted", "suggested",
    "maintained", "told reporters", "indicated", "signalled",
]
ADJS = [
    "sharp", "modest", "gradual", "steep", "unexpected", "prolonged", "tentative",
    "fragile", "renewed", "broad", "significant", "limited", "sudden", "sustained",
    "marked", "cautious", "uneven", "persistent", "dramatic", "welcome", "costly",
    "protracted", "bruising", "delicate", "decisive", "lengthy", "contentious",
    "swift", "partial", "growing", "mounting", "rare", "notable", "familiar",
]
HNOUNS = [
    "tensions", "delays", "protests", "doubts", "concerns", "losses", "shortages",
    "disputes", "warnings", "objections", "setbacks", "divisions", "complaints",
    "pressures", "questions", "rivalries", "frictions", "demands", "criticisms",
]
INTRANS = [
    "mount", "grow", "deepen", "linger", "persist", "build", "ease", "fade",
    "intensify", "spread", "resurface", "subside",
]
METRICS = [
    "prices", "output", "exports", "imports", "shipments", "bookings", "costs",
    "revenue", "volumes", "demand", "orders", "sales", "investment", "profits", "output",
    "insurance premiums", "freight costs", "inventories", "tax receipts",
]
COMMODITIES = [
    "wheat", "copper", "Brent crude", "natural gas", "rice", "coffee", "cocoa",
    "soybeans", "aluminium", "lithium", "palm oil", "sugar", "gold", "iron ore",
    "diesel", "maize",
]
METRICS_PLURAL = [m for m in METRICS if _is_plural(m)]
CHG_PAST = [
    "rose", "fell", "climbed", "slipped", "jumped", "dropped", "edged up",
    "edged down", "surged", "slid", "increased", "declined",
]
CHG_PERF = [
    "risen", "fallen", "climbed", "dropped", "increased", "declined", "slipped",
    "jumped",
]
HEAD_IMPACTS = [
    "disrupt", "overshadow", "complicate", "reshape", "delay", "hit", "test", "outlast",
]
ADVS = [
    "poorly", "cautiously", "too slowly", "inconsistently", "clumsily", "carefully",
    "hastily", "opaquely", "reluctantly", "erratically", "heavy-handedly",
]
ACTIONS = [
    "delay the vote", "extend the deadline", "raise spending", "cut costs",
    "review the rules", "launch an inquiry", "tighten oversight", "ease restrictions",
    "impose new limits", "seek outside advice", "boost reserves", "freeze new permits",
    "reopen negotiations", "appoint a special envoy", "expand emergency support",
    "suspend the programme", "lift the ban", "publish a revised plan",
    "bring forward the review", "cap prices", "increase inspections",
    "offer targeted relief", "step up enforcement", "rebuild stocks",
    "renegotiate the contracts", "set up a task force", "request international help",
    "scale back the project", "accelerate approvals", "hold an emergency meeting",
]
JUDGEMENTS = [
    "too small", "long overdue", "a step in the right direction", "unlikely to be enough",
    "larger than expected", "poorly targeted", "a welcome start", "far short of what is needed",
]
STANCES = [
    "criticised", "defended", "questioned", "praised", "played down", "welcomed",
]
CHARACTERISATIONS = [
    "reckless", "a necessary correction", "deeply worrying", "overdue",
    "a serious miscalculation", "the right call", "premature", "a wake-up call",
    "short-sighted", "manageable",
]
STATES = [
    "unresolved", "fluid", "contentious", "politically sensitive", "in flux",
    "a source of friction", "finely balanced",
]
COMPARATIVES = [
    "deeper", "more persistent", "milder", "shorter-lived", "broader", "more costly",
    "less severe", "more stubborn",
]
SUPERLATIVES = ["biggest", "sharpest", "largest", "steepest", "strongest", "widest"]
SITUATIONS = ["serious", "fragile", "stable", "improving", "difficult", "volatile"]
PROGRESS = ["slow", "steady", "little", "good", "uneven", "real"]
SALIENCE = ["high", "squarely", "firmly"]
NUMWORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DAY_PAST = [
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday",
    "over the weekend", "last week", "earlier this month", "late on Thursday",
    "this week", "on Sunday", "earlier on Wednesday",
]
DAY_FUTURE = [
    "next week", "on Friday", "later this month", "next month", "on Monday",
    "in the coming days", "before the end of the quarter", "on Thursday",
]
HEAD_VERBS = [  # (third person, base)
    ("weighs", "weigh"), ("backs", "back"), ("delays", "delay"), ("rejects", "reject"),
    ("extends", "extend"), ("eases", "ease"), ("tightens", "tighten"),
    ("expands", "expand"), ("suspends", "suspend"), ("reviews", "review"),
    ("signals shift on", "signal shift on"), ("defends", "defend"), ("probes", "probe"),
    ("unveils plan for", "unveil plan for"), ("revives", "revive"), ("halts", "halt"),
    ("rules out", "rule out"), ("approves", "approve"), ("blocks", "block"),
    ("pushes back on", "push back on"), ("seeks talks on", "seek talks on"),
    ("steps up", "step up"), ("scraps", "scrap"), ("targets", "target"),
]
HEAD_DRAGS = [  # (singular subject, plural subject)
    ("drags on", "drag on"), ("deepens", "deepen"), ("spreads", "spread"),
    ("eases", "ease"), ("weighs", "weigh"), ("bites", "bite"), ("lingers", "linger"),
    ("intensifies", "intensify"), ("worsens", "worsen"), ("escalates", "escalate"),
]


def _tmpl(*lines: str) -> list[str]:
    return list(lines)


# Slots: P person, PL place, CTRY country, ORG organisation (with article),
# T main-topic phrase, T2 secondary-topic phrase, Q quote, CL that-clause,
# plus vocabulary slots (see Article.FILLERS). Agreement slots IS, HAS, WAS,
# S ("s" or ""), ITIS follow the number of the topic phrase drawn last.
SENTENCES = _tmpl(
    "{GRP} in {PL} {RV} {DAY} that the {T} could force the government to {ACT} before {MONTH}.",
    "The {T} {HAS} become {AADJ} test for {ORG}, which {RV} {DAY} that it would {ACT}.",
    "{P} {RV} that {CL}.",
    "Figures published {DAY} showed {MET} linked to the {T} {CHG} {PCT} from a year earlier, the {BIGGEST} move since {MONTH}.",
    "Analysts at {ORG} estimate the {T} could cost {CTRY} as much as {MONEY} this year.",
    "The dispute over the {T} has drawn in {NUMW} governments and at least {NUM} companies, according to {ORG}.",
    "Meanwhile, {GRP} {RV} that the {T2} {WAS} adding to pressure on {PL}.",
    "Separately, {P} is due to meet counterparts in {PL} {DAYF} to discuss the {T2}.",
    "{ORG} said in a report that {CL}.",
    "Officials in {PL} have set aside {MONEY} to address the {T}, though {GRP} say the sum is {JUDG}.",
    "The {T} {IS} expected to dominate talks in {PL} {DAYF}, where ministers will also discuss the {T2}.",
    "Since {MONTH}, {METP} tied to the {T} have {CHGP} by {PCT}, according to data compiled by {ORG}.",
    "Asked about the {T}, {P} {RV} that {CL}.",
    "{P} has repeatedly {STANCE} the handling of the {T}, calling it “{CHAR}.”",
    "The {ADJ} turn in the {T} comes as {PL} faces {ADJ} {HN} over the {T2}.",
    "Under the plan, {ORG} would {ACT} by {YEAR}, with {MONEY} earmarked for the first phase.",
    "Critics, including {P}, argue that the {T} {HAS} been handled {ADV}.",
    "In {PL}, {GRP} {RV} the {T} had already put {NUM} jobs at risk.",
    "About {PCT} of respondents in a survey by {ORG} said the {T} {WAS} their main concern, up from {PCT} in {MONTH}.",
    "The {T} {WAS} {SAL} on the agenda when {P} met {P} in {PL} {DAY}.",
    "A spokesperson for {ORG} declined to comment on the {T}.",
    "{ORG} did not respond to a request for comment.",
    "The {T} follow{S} {ADJ} {HN} over the {T2} earlier this year.",
    "{GRP} {RV} the {T} {WAS} unlikely to be resolved before {MONTH}, given {ADJ} {HN} in {PL}.",
    "Prices for {COMM} {CHG} {PCT} {DAY}, the biggest move in {NUMW} weeks, as traders weighed the {T}.",
    "The government of {CTRY} has said it will {ACT} if the {T} worsen{S}.",
    "{CTRY} accounts for roughly {PCT} of global {MET} in the sector, making the {T} a concern well beyond its borders.",
    "According to {ORG}, the {T} {HAS} affected some {NUM} people across {NUMW} regions.",
    "Talks on the {T} are scheduled to resume in {PL} {DAYF}, two officials familiar with the matter said.",
    "The figures suggest the {T} {IS} {COMP} than {GRP} had expected.",
    "{P}, speaking on the sidelines of a conference in {PL}, {RV} that {CL}.",
    "It was not immediately clear how the {T} would affect the {T2}.",
    "Shares in companies exposed to the {T} {CHG} {PCT} in {PL} trading {DAY}.",
    "{ORG} has called for an independent review of the {T}, citing {ADJ} {HN}.",
    "The last time the {T} reached this scale, in {PYEAR}, it took {NUMW} months for conditions to return to normal.",
    "Some {GRP}, however, see the {T} as an opportunity to {ACT}.",
    "The {T} {HAS} also raised questions about the {T2}, {GRP} say.",
    "A draft of the proposal, seen by {OUTLET}, would {ACT} and set aside {MONEY} for {GRP} hit by the {T}.",
    "{P} is expected to present the plan to parliament in {MONTH}.",
    "The measure passed by {VOTES} votes, clearing the way for {ORG} to {ACT}.",
    "{GRP} {RV} the {ADJ} response to the {T} reflected {HN} within {ORG}.",
    "By one estimate, from {ORG}, resolving the {T} would require about {MONEY} over {NUMW} years.",
    "Local media in {PL} reported {DAY} that {CL}.",
    "That view is not shared by {P}, who {RV} that {CL}.",
    "The {T} remain{S} {STATE}, with {GRP} divided over what comes next.",
    "At a news conference in {PL}, {P} {RV} that {CL}.",
    "{ORG} cut its forecast for growth in {MET} to {PCT} from {PCT}, citing the {T}.",
    "The {T2}, by contrast, {HAS} drawn less attention, although {GRP} in {PL} say {ITIS} just as important.",
    "Earlier, {P} had {RV} that the {T} would not derail plans to {ACT}.",
    "In a letter to {P}, {ORG} urged the government to {ACT} and to publish its assessment of the {T}.",
    "The {T} {HAS} cost {CTRY} an estimated {MONEY} so far (roughly {PCT} of annual output), according to {ORG}.",
    "Both sides have traded blame over the {T}; neither has offered a timetable.",
    "Officials said the decision to {ACT} was taken after {NUMW} days of talks on the {T}.",
    "{GRP} in {PL} said they had been given little notice of the changes to the {T}.",
    "Roughly {CROWD} people attended a rally in {PL} {DAY} to protest against the handling of the {T}.",
    "The {T} and the {T2} are likely to feature in talks between {P} and {P} {DAYF}.",
    "A senior U.S. official, speaking on condition of anonymity, {RV} that {CL}.",
    "{ORG}, which represents {GRP} in more than {NUMW} countries, {RV} that the {T} {WAS} “{CHAR}.”",
    "In {MONTH}, {CTRY} agreed to {ACT}, but progress on the {T} has since stalled.",
    "Data from {ORG} showed {METP} in {PL} {CHG} to their lowest level since {PYEAR}.",
    "The {T} {HAS} split opinion among {GRP}: some favour waiting, others want to {ACT} now.",
    "Much will depend on whether {CTRY} can {ACT} without worsening the {T2}.",
    "{P}, a former adviser to the government, {RV} that the {T} {WAS} “{CHAR},” adding that {GRP} had been slow to react.",
    "Ministers from {NUMW} countries are due to meet in {PL} on {WEEKDAY} to discuss the {T}, among other issues.",
    "The proposal, worth about {MONEY}, would also cover the {T2}.",
    "Trading volumes in {COMM} were {PCT} below their {MONTH} average, reflecting uncertainty over the {T}.",
    "Opposition parties in {CTRY} have accused the government of mishandling the {T}.",
    "Insurance costs for firms exposed to the {T} have roughly doubled since {MONTH}, according to {ORG}.",
    "The {T}, once a niche concern, {HAS} moved to the centre of the debate in {PL}.",
    "Dr. {SURNAME}, an economist who has studied the {T} for years, {RV} that the numbers were “{CHAR}.”",
)

QUOTE_SENTENCES = _tmpl(
    "“{Q},” said {P}.",
    "“{Q},” {P} said in a statement.",
    "“{Q}. {Q},” {P} told {OUTLET}.",
    "“{Q},” {P} {RV}, adding that {CL}.",
    "“{Q},” {P} told reporters in {PL} {DAY}.",
    "“{Q},” {P} said in an interview. “{Q}.”",
    "“{Q},” said one senior official in {PL}, who asked not to be named.",
    "{P} was blunt: “{Q}.”",
)

CLAUSES = _tmpl(
    "the {T} would remain a priority for the rest of the year",
    "the government was prepared to {ACT} if necessary",
    "{GRP} had underestimated the impact of the {T}",
    "talks on the {T} were making {PROG} progress",
    "the {T} could cost as much as {MONEY}",
    "{MET} could fall by as much as {PCT} if the {T} dragged on",
    "{ORG} would {ACT} within weeks",
    "there was no quick fix for the {T}",
    "the {T2} and the {T} were closely linked",
    "{CTRY} would not {ACT} without firm guarantees",
    "it was too early to judge the effect of the {T}",
    "the worst of the {T} was likely over",
    "a decision on the {T} would come by {MONTH}",
    "the {T} had exposed {ADJ} weaknesses in official planning",
    "officials had been in contact with counterparts in {PL} about the {T}",
    "{METP} had {CHGP} {PCT} since the start of the {T}",
    "the {T} would be raised with {P} at the next meeting",
    "the cost of the {T} had been “{CHAR}” for {GRP}",
    "{CTRY} and {ORG} were close to a deal on the {T}",
    "any agreement on the {T} would need the backing of {GRP}",
)

QUOTES = _tmpl(
    "We are watching the {T} very closely",
    "This is not the time to {ACT}",
    "Nobody wants to see the {T} drag on for months",
    "The {T} {IS} {AADJ} challenge, but {ITIS} manageable",
    "We have been clear that we will {ACT}",
    "Our priority is to protect {GRP} from the worst of the {T}",
    "There is no easy way out of the {T}",
    "The numbers speak for themselves",
    "We expect {MET} to recover by {MONTH}, but the risks are real",
    "If the {T} continue{S}, the cost will be measured in billions",
    "We need {ORG} to play a bigger role",
    "It is a question of when, not if",
    "The {T2} make{S} all of this harder",
    "I have not seen anything like the {T} in {NUMW} decades",
    "What we are asking for is fairness",
    "People in {PL} are already feeling the effects",
    "We will not accept a deal that ignores the {T}",
    "The situation is {SIT}, and we are ready to act",
    "We remain committed to dialogue",
    "Let me be clear: the {T} {IS} our top priority",
    "Every week of delay costs us about {MONEY}",
    "We were promised a plan for the {T}, and we are still waiting",
    "Frankly, the {T} should have been dealt with a long time ago",
    "Our members cannot absorb another {PCT} increase",
    "This is about jobs, not politics",
    "The markets have already priced in a lot of bad news",
)

LEDES = _tmpl(
    "{GRP} in {DL} {RV} {DAYL} that the {T} had entered {AADJ} new phase, as {ORG} moved to {ACT}.",
    "{P} {RV} {DAYL} that {CL}, raising the stakes for {GRP} in {DL}.",
    "The {T} deepened {DAYL} after {ORG} said it would {ACT}, a move {GRP} in {DL} described as “{CHAR}.”",
    "Authorities in {DL} moved {DAYL} to {ACT} in response to the {T}, according to officials familiar with the decision.",
    "{MET} linked to the {T} {CHG} {PCT} {DAYL}, {ORG} said, the clearest sign yet of strain in {DL}.",
    "Officials in {DL} {RV} {DAYL} that they were preparing to {ACT} as the {T} showed no sign of easing.",
    "{AADJ} shift in the {T} came {DAYL} when {P} announced plans to {ACT}.",
    "The {T} took {AADJ} turn {DAYL}, with {ORG} warning that {CL}.",
    "{DL} faces a difficult few weeks after {ORG} said {DAYL} that {CL}.",
)

# Closings are drafted before the body (to budget their length), so they must
# not use {P}: that would spend a person's first, full-title mention.
CLOSINGS = _tmpl(
    "{ORG} is expected to publish its next assessment of the {T} in {MONTH}.",
    "Further talks on the {T} are planned {DAYF}.",
    "{GRP} will be watching whether the {T} ease{S} before the end of the year.",
    "The next test will come in {MONTH}, when {ORG} reviews the {T}.",
    "For now, the {T} show{S} little sign of going away.",
    "A final decision on the {T} is expected by the end of {MONTH}.",
    "Lawmakers are due to question ministers about the {T} {DAYF}.",
)

HEADLINES = _tmpl(
    "{HPL} {HV} {TH} as {HN} {HI}",
    "{HORG} {HV} {TH} after {ADJ} {HN}",
    "{HSUR} {HV} {TH} in {HPL}",
    "{HNC} {HI} over {TH} in {HPL}",
    "What the {TH} mean{S} for {HPL}",
    "{HPL} {HV} {TH} amid {ADJ} {HN}",
    "{HMET} {HUPDN} {PCT} in {HPL} as {TH} {HDRAG}",
    "{HORG} warns {TH} could cost {HPL} {MONEY}",
    "{HPL} to {HVB} {TH} by {MONTH}",
    "{DL} and {HPL2} clash over {TH}",
    "{HSUR} says {TH} will {HIMP} {TH2}",
    "{HORG} urges {HPL} to act on {TH}",
    "{TH} {HDRAG} as {HPL} {HV} {TH2}",
)

# ---------------------------------------------------------------------------
# Templates are compiled once into (literal, slot, literal, slot, ..., literal).
# ---------------------------------------------------------------------------

_SLOT_RE = re.compile(r"\{(\w+)\}")


def compile_template(t: str) -> tuple[str, ...]:
    return tuple(_SLOT_RE.split(t))


def compile_all(ts: list[str]) -> list[tuple[str, ...]]:
    return [compile_template(t) for t in ts]


C_SENTENCES = compile_all(SENTENCES)
C_QUOTE_SENTENCES = compile_all(QUOTE_SENTENCES)
C_CLAUSES = compile_all(CLAUSES)
C_QUOTES = compile_all(QUOTES)
C_LEDES = compile_all(LEDES)
C_CLOSINGS = compile_all(CLOSINGS)
C_HEADLINES = compile_all(HEADLINES)

# ---------------------------------------------------------------------------
# The world: people, topic affinities. Built once from the seed.
# ---------------------------------------------------------------------------


class Person:
    __slots__ = ("full", "short", "domain")

    def __init__(self, full: str, short: str, domain: str):
        self.full = full      # first mention
        self.short = short    # later mentions
        self.domain = domain


class World:
    def __init__(self, seed: int):
        rng = Random(seed * 7919 + 104729)
        countries = [p for p in PLACES if p[3] is not None]
        self.countries = countries
        # People: cycle through roles so every domain has people; unique names.
        firsts = FIRST_NAMES[:]
        lasts = LAST_NAMES[:]
        rng.shuffle(firsts)
        rng.shuffle(lasts)
        people: list[Person] = []
        by_domain: dict[str, list[int]] = {d: [] for d in DOMAINS}
        n_people = 150
        for i in range(n_people):
            kind, title, domain = ROLES[i % len(ROLES)]
            first = firsts[i % len(firsts)]
            last = lasts[i % len(lasts)]
            name = f"{first} {last}"
            if kind == "gov":
                c = rng.choice(countries)
                full = f"{c[3]} {title} {name}"
                short = last
            elif kind in ("sen", "amb"):
                full = f"{title} {name}"
                short = last
            elif kind == "mil":
                full = f"{title} {name}"
                short = f"{title} {last}"
            elif kind == "expert":
                org = rng.choice([o for o in ORGS if o[1] == domain])
                full = f"{title} {name} of the {org[0]}"
                short = last
            else:  # org role
                org = rng.choice(ORGS)
                domain = org[1]
                full = f"{org[0]} {title} {name}"
                short = last
            p = Person(full, short, domain)
            by_domain[domain].append(len(people))
            people.append(p)
        self.people = people
        # Surnames no recurring person has, for one-off commentators.
        self.spare_surnames = lasts[n_people:]
        assert len(self.spare_surnames) >= 10
        politics = by_domain["politics"]
        # Topic affinities.
        self.topic_people: list[list[int]] = []
        self.topic_places: list[list[int]] = []
        self.topic_orgs: list[list[int]] = []
        for tag, domain, _phrases in TOPICS:
            pool = by_domain[domain][:]
            rng.shuffle(pool)
            chosen = pool[:8]
            for idx in rng.sample(politics, 3):
                if idx not in chosen:
                    chosen.append(idx)
            while len(chosen) < 8:
                idx = rng.randrange(len(people))
                if idx not in chosen:
                    chosen.append(idx)
            self.topic_people.append(chosen)
            self.topic_places.append(sorted(rng.sample(range(len(PLACES)), 6)))
            orgs = [i for i, o in enumerate(ORGS) if o[1] == domain]
            extra = rng.randrange(len(ORGS))
            if extra not in orgs:
                orgs.append(extra)
            self.topic_orgs.append(orgs)
        # Mildly skewed topic popularity so some hubs are bigger than others.
        weights = [1.0 / (1.0 + 0.06 * i) for i in range(len(TOPICS))]
        order = list(range(len(TOPICS)))
        rng.shuffle(order)
        self.topic_order = order
        cum = []
        acc = 0.0
        for w in weights:
            acc += w
            cum.append(acc)
        self.topic_cum = cum


# ---------------------------------------------------------------------------
# Article generation
# ---------------------------------------------------------------------------

YEAR_START = _dt.datetime(2025, 1, 1, tzinfo=_dt.timezone.utc)
YEAR_SECONDS = 365 * 86400  # 2025 is not a leap year: 2025-01-01 .. 2025-12-31


def _with_article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def cap_first(s: str) -> str:
    if s and s[0].islower():
        return s[0].upper() + s[1:]
    return s


def toml_escape(s: str) -> str:
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(title: str, max_len: int = 100) -> str:
    s = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    s = _NON_ALNUM.sub("-", s.lower()).strip("-")
    if len(s) > max_len:
        s = s[:max_len]
        if "-" in s:
            s = s[: s.rindex("-")]
    return s or "briefing"


class Article:
    """Per-article state; slot fillers are methods looked up in FILLERS."""

    def __init__(self, rng: Random, world: World):
        self.rng = rng
        self.world = world
        r = rng.random
        choice = rng.choice
        # Topics.
        pos = _bisect(world.topic_cum, r() * world.topic_cum[-1])
        main = world.topic_order[pos]
        n_sec = 1 if r() < 0.5 else 2
        secs: list[int] = []
        while len(secs) < n_sec:
            t = rng.randrange(len(TOPICS))
            if t != main and t not in secs:
                secs.append(t)
        self.main = main
        self.secs = secs
        self.main_phrases = TOPICS[main][2]
        self.sec_phrases = [p for s in secs for p in TOPICS[s][2]]
        # Entities: mostly from the main topic's affinity sets.
        people: list[int] = []
        for _ in range(rng.randint(2, 4)):
            for _try in range(10):
                if r() < 0.8:
                    idx = choice(world.topic_people[main])
                else:
                    idx = rng.randrange(len(world.people))
                if idx not in people:
                    people.append(idx)
                    break
        if len(people) < 2:
            idx = (people[0] + 1) % len(world.people)
            people.append(idx)
        self.people = [world.people[i] for i in people]
        self.mentioned = [False] * len(self.people)
        self.person_pos = 0
        orgs: list[int] = []
        for _ in range(rng.randint(1, 3)):
            idx = choice(world.topic_orgs[main]) if r() < 0.8 else rng.randrange(len(ORGS))
            if idx not in orgs:
                orgs.append(idx)
        self.orgs = ["the " + ORGS[i][0] for i in orgs]
        self.org_names = [ORGS[i][0] for i in orgs]
        if r() < 0.85:
            dl = choice(world.topic_places[main])
        else:
            dl = rng.randrange(len(PLACES))
        places = [dl]
        want = 1 + rng.randint(1, 2)
        while len(places) < want:
            idx = choice(world.topic_places[main]) if r() < 0.7 else rng.randrange(len(PLACES))
            if idx not in places:
                places.append(idx)
        self.places = [PLACES[i][0] for i in places]
        self.dateline = PLACES[dl][0]
        self.region = PLACES[dl][1]
        self.countries = []
        for i in places:
            c = PLACES[i][2]
            if c not in self.countries:
                self.countries.append(c)
        # Date.
        secs_in_year = rng.randrange(YEAR_SECONDS)
        secs_in_year -= secs_in_year % 60  # whole minutes
        self.date = YEAR_START + _dt.timedelta(seconds=secs_in_year)
        back = 0 if r() < 0.6 else 1
        self.lede_day = "on " + WEEKDAYS[(self.date.weekday() - back) % 7]
        self.plural = False

    # -- slot fillers -------------------------------------------------------

    def person(self) -> str:
        i = self.person_pos % len(self.people)
        self.person_pos += 1
        if self.mentioned[i]:
            return self.people[i].short
        self.mentioned[i] = True
        return self.people[i].full

    def head_surname(self) -> str:
        p = self.people[0]
        return p.short

    def topic(self) -> str:
        p = self.rng.choice(self.main_phrases)
        self.plural = PLURAL[p]
        return p

    def topic2(self) -> str:
        p = self.rng.choice(self.sec_phrases)
        self.plural = PLURAL[p]
        return p

    def pct(self) -> str:
        r = self.rng.random()
        if r < 0.7:
            return f"{self.rng.uniform(0.2, 12.0):.1f}%"
        if r < 0.9:
            return f"{self.rng.randint(1, 40)}%"
        return f"{self.rng.uniform(0.1, 2.0):.2f}%"

    def money(self) -> str:
        rng = self.rng
        cur = "$" if rng.random() < 0.7 else rng.choice(("€", "£"))
        if rng.random() < 0.55:
            return f"{cur}{rng.uniform(0.2, 48.0):.1f}bn"
        return f"{cur}{rng.randrange(20, 990, 10)}m"

    def number(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            return str(rng.randint(12, 950))
        if r < 0.8:
            return f"{rng.randrange(1000, 95000, 100):,}"
        return f"{rng.randint(1, 9)}.{rng.randint(1, 9)} million"

    def votes(self) -> str:
        a = self.rng.randint(120, 320)
        b = self.rng.randint(40, a - 20)
        return f"{a} to {b}"

    def quote(self) -> str:
        return self.expand(self.rng.choice(C_QUOTES))

    def clause(self) -> str:
        return self.expand(self.rng.choice(C_CLAUSES))

    def other_place(self) -> str:
        # A place other than the dateline (places always holds at least two).
        return self.rng.choice(self.places[1:])

    def head_verb(self) -> str:
        return self.rng.choice(HEAD_VERBS)[0]

    def head_verb_base(self) -> str:
        return self.rng.choice(HEAD_VERBS)[1]

    FILLERS = {
        "P": person,
        "PL": lambda a: a.rng.choice(a.places),
        "DL": lambda a: a.dateline,
        "CTRY": lambda a: a.rng.choice(a.countries),
        "ORG": lambda a: a.rng.choice(a.orgs),
        "T": topic,
        "T2": topic2,
        "Q": quote,
        "CL": clause,
        "GRP": lambda a: a.rng.choice(GROUPS),
        "RV": lambda a: a.rng.choice(REPORT_VERBS),
        "DAY": lambda a: a.rng.choice(DAY_PAST),
        "DAYF": lambda a: a.rng.choice(DAY_FUTURE),
        "DAYL": lambda a: a.lede_day,
        "MONTH": lambda a: a.rng.choice(MONTHS),
        "ADJ": lambda a: a.rng.choice(ADJS),
        "ADV": lambda a: a.rng.choice(ADVS),
        "ACT": lambda a: a.rng.choice(ACTIONS),
        "MET": lambda a: a.rng.choice(METRICS),
        "COMM": lambda a: a.rng.choice(COMMODITIES),
        "CHG": lambda a: a.rng.choice(CHG_PAST),
        "CHGP": lambda a: a.rng.choice(CHG_PERF),
        "PCT": pct,
        "MONEY": money,
        "NUM": number,
        "NUMW": lambda a: a.rng.choice(NUMWORDS),
        "VOTES": votes,
        "CROWD": lambda a: f"{a.rng.randrange(300, 40000, 100):,}",
        "YEAR": lambda a: str(a.rng.randint(2026, 2030)),
        "PYEAR": lambda a: str(a.rng.randint(2008, 2023)),
        "OUTLET": lambda a: a.rng.choice(OUTLETS),
        "JUDG": lambda a: a.rng.choice(JUDGEMENTS),
        "STANCE": lambda a: a.rng.choice(STANCES),
        "CHAR": lambda a: a.rng.choice(CHARACTERISATIONS),
        "STATE": lambda a: a.rng.choice(STATES),
        "COMP": lambda a: a.rng.choice(COMPARATIVES),
        "SIT": lambda a: a.rng.choice(SITUATIONS),
        "PROG": lambda a: a.rng.choice(PROGRESS),
        "SAL": lambda a: a.rng.choice(SALIENCE),
        "HN": lambda a: a.rng.choice(HNOUNS),
        # Headline slots.
        "HPL": lambda a: a.rng.choice(a.places),
        "HORG": lambda a: a.rng.choice(a.org_names),
        "HSUR": head_surname,
        "HV": head_verb,
        "HVB": head_verb_base,
        "HI": lambda a: a.rng.choice(INTRANS),
        "HNC": lambda a: cap_first(a.rng.choice(HNOUNS)),
        "HMET": lambda a: cap_first(a.rng.choice(METRICS)),
        "HUPDN": lambda a: "up" if a.rng.random() < 0.5 else "down",
        "HIMP": lambda a: a.rng.choice(HEAD_IMPACTS),
        "HPL2": other_place,
        "HDRAG": lambda a: a.rng.choice(HEAD_DRAGS)[a.plural],
        # Agreement with the topic phrase drawn last.
        "IS": lambda a: "are" if a.plural else "is",
        "HAS": lambda a: "have" if a.plural else "has",
        "WAS": lambda a: "were" if a.plural else "was",
        "S": lambda a: "" if a.plural else "s",
        "ITIS": lambda a: "they are" if a.plural else "it is",
        "METP": lambda a: a.rng.choice(METRICS_PLURAL),
        "WEEKDAY": lambda a: a.rng.choice(WEEKDAYS),
        "SURNAME": lambda a: a.rng.choice(a.world.spare_surnames),
        "AADJ": lambda a: _with_article(a.rng.choice(ADJS)),
        "BIGGEST": lambda a: a.rng.choice(SUPERLATIVES),
        "TH": topic,
        "TH2": topic2,
    }

    def expand(self, parts: tuple[str, ...]) -> str:
        fill = self.FILLERS
        out = [parts[0]]
        for k in range(1, len(parts), 2):
            out.append(fill[parts[k]](self))
            out.append(parts[k + 1])
        return "".join(out)

    def sentence(self, parts: tuple[str, ...]) -> str:
        s = cap_first(self.expand(parts))
        if s.endswith(".."):  # "... in the U.S.."
            s = s[:-1]
        return s

    def headline(self) -> str:
        rng = self.rng
        # Headlines should not introduce the first person mention state.
        for _ in range(50):
            h = cap_first(self.expand(rng.choice(C_HEADLINES)))
            n = len(h.split())
            if 6 <= n <= 11 and not h.endswith("."):
                return h
        # Fallback that always fits (6-11 words given phrase lengths of 1-4 words).
        return cap_first(f"Officials in {self.dateline.removeprefix('the ')} weigh next steps on {self.main_phrases[0]}")

    def body(self) -> tuple[str, int]:
        rng = self.rng
        r = rng.random
        target = rng.randint(520, 860)
        n_par = rng.randint(5, 10)
        sents: list[tuple[str, int]] = []
        lede = self.sentence(rng.choice(C_LEDES))
        sents.append((lede, len(lede.split())))
        total = sents[0][1]
        closing = self.sentence(rng.choice(C_CLOSINGS))
        cl_words = len(closing.split())
        limit = 900 - cl_words
        used_t: set[int] = set()
        used_q: set[int] = set()
        n_t = len(C_SENTENCES)
        n_q = len(C_QUOTE_SENTENCES)
        while total + cl_words < target or len(sents) + 1 < n_par:
            # About one sentence in six is a quote; templates do not repeat
            # within an article until their pool is used up.
            if r() < 0.17:
                if len(used_q) == n_q:
                    used_q.clear()
                k = rng.randrange(n_q)
                while k in used_q:
                    k = rng.randrange(n_q)
                used_q.add(k)
                s = self.sentence(C_QUOTE_SENTENCES[k])
            else:
                if len(used_t) == n_t:
                    used_t.clear()
                k = rng.randrange(n_t)
                while k in used_t:
                    k = rng.randrange(n_t)
                used_t.add(k)
                s = self.sentence(C_SENTENCES[k])
            w = len(s.split())
            if total + w > limit:
                if total + cl_words >= 500 and len(sents) + 1 >= n_par:
                    break
                continue  # too long to fit: draw another sentence
            sents.append((s, w))
            total += w
        sents.append((closing, cl_words))
        total += cl_words
        # Split into n_par paragraphs of roughly equal word counts.
        paras: list[list[str]] = []
        cur: list[str] = []
        acc = 0
        remaining = len(sents)
        for idx, (s, w) in enumerate(sents):
            cur.append(s)
            acc += w
            remaining -= 1
            done = len(paras) + 1
            if done < n_par and remaining >= n_par - done:
                must_cut = remaining == n_par - done
                if must_cut or acc >= total * done / n_par:
                    paras.append(cur)
                    cur = []
        if cur:
            paras.append(cur)
        return "\n\n".join(" ".join(p) for p in paras) + "\n", total

    def tags(self) -> list[str]:
        tags = [TOPICS[self.main][0], TOPICS[self.main][1]]
        for s in self.secs:
            tags.append(TOPICS[s][0])
        tags.append(self.region)
        for s in self.secs:
            tags.append(TOPICS[s][1])
        out: list[str] = []
        for t in tags:
            if t not in out:
                out.append(t)
        return out[: self.rng.randint(3, 6)]


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum)
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return min(lo, len(cum) - 1)


def render_article(art: Article, title: str, body: str, source: str) -> str:
    date = art.date.strftime("%Y-%m-%dT%H:%M:%SZ")
    tags = ", ".join(f'"{toml_escape(t)}"' for t in art.tags())
    return (
        "+++\n"
        f'title = "{toml_escape(title)}"\n'
        f"date = {date}\n"
        f"tags = [{tags}]\n"
        "\n"
        "[source]\n"
        f'name = "{toml_escape(source)}"\n'
        "+++\n"
        "\n"
        f"{body}"
    )


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def generate(count: int, out_dir: str, seed: int, force: bool) -> tuple[int, int]:
    briefings = os.path.join(out_dir, "content", "briefings")
    os.makedirs(briefings, exist_ok=True)
    existing = sorted(n for n in os.listdir(briefings) if n.endswith(".md"))
    if existing:
        if not force:
            sys.exit(
                f"gen_site.py: {briefings} already holds {len(existing)} .md files; "
                "pass --force to replace them (or pick an empty --out)"
            )
        for n in existing:
            os.remove(os.path.join(briefings, n))

    world = World(seed)
    rng = Random(seed)
    total_bytes = 0
    n_files = 0

    def write(path: str, text: str) -> None:
        nonlocal total_bytes, n_files
        data = text.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        total_bytes += len(data)
        n_files += 1

    write(os.path.join(out_dir, "site.toml"), SITE_TOML)
    write(os.path.join(briefings, "_index.md"), INDEX_MD)

    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    join = os.path.join
    for _ in range(count):
        art = Article(rng, world)
        title = art.headline()
        body, _words = art.body()
        source = rng.choice(OUTLETS)
        base = slugify(title)
        slug = base
        if slug in used:
            k = next_suffix.get(base, 2)
            while f"{base}-{k}" in used:
                k += 1
            slug = f"{base}-{k}"
            next_suffix[base] = k + 1
        used.add(slug)
        name = f"{art.date.strftime('%Y-%m-%d')}-{slug}.md"
        write(join(briefings, name), render_article(art, title, body, source))
    return n_files, total_bytes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate a synthetic briefing site for benchmarks.")
    ap.add_argument("--count", type=int, required=True, help="number of briefings to write")
    ap.add_argument("--out", required=True, help="output site directory")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--force", action="store_true",
                    help="delete existing .md files in OUT/content/briefings first")
    args = ap.parse_args(argv)
    if args.count < 0:
        ap.error("--count must be >= 0")
    t0 = time.perf_counter()
    n_files, total = generate(args.count, args.out, args.seed, args.force)
    dt = time.perf_counter() - t0
    print(f"wrote {args.count} briefings ({n_files} files, {total} bytes) to {args.out} "
          f"in {dt:.1f}s (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
