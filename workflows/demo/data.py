"""The invented Bækkeby Kommune as plain data: texts, names, teams, standards, staff, cases.

Every name, address, phone number and e-mail address is invented; only the emergency
numbers and the legal facts are real. Rich text is written as blocks: a string is a
paragraph, a list of strings a bulleted list; `{key}` in a text is a link to the team or
partner page of that key (or, for `{nord_phone}` and the like, that page's contact detail).
Cases name their team, staff and steps by key; workflows.demo.build runs them through the
services.
"""

from intranet import roles
from pages.models import PartnerKind, RedirectReason
from workflows.models import (
    AgeGroup,
    Channel,
    ConcernCategory,
    ConsentForm,
    ContactKind,
    Gender,
    GoalArea,
    HandoverBasis,
    Housing,
    IncomeSource,
    MainProblem,
)

MUNICIPALITY = "Bækkeby Kommune"
# Shared by every demo account; printed at the end. Never used outside the demo.
DEMO_PASSWORD = "Brobygger-demo-2026"  # noqa: S105
LOGIN_URL = "http://127.0.0.1:8000/konto/login/"
MAIL = "baekkeby.example.dk"
OPENING_HOURS = "Mandag-torsdag kl. 7-19, fredag kl. 7-15."
OFFICE_HOURS = "Mandag-fredag kl. 8-15."

# --- Pages ---------------------------------------------------------------------------------

HOME = {
    "slug": "forside",
    "title": MUNICIPALITY,
    "intro": [
        f"Her finder du {MUNICIPALITY}s kvalitetsstandard for støtte- og "
        "kontaktpersoner (SKP) efter servicelovens § 99, og hvem du kan kontakte, hvis "
        "du er bekymret for en borger, der ikke selv søger hjælp.",
    ],
    "callout_heading": "Ikke et akuttilbud",
    "callout_text": [
        "Ved akut fare for liv eller helbred: ring 112. Politiet: 114. Akuttelefonen: 1813."
    ],
}

DIRECTORY = {
    "slug": "kontakt",
    "title": "Kontakt",
    "intro": [
        f"Afdelinger og teams i {MUNICIPALITY} og de samarbejdspartnere, vi henviser "
        "til. Ved akut fare for liv eller helbred: ring 112."
    ],
}

# key: (title, slug, description, phone, address)
DEPARTMENTS = {
    "sundhed": (
        "Sundhed og Omsorg",
        "sundhed-og-omsorg",
        "Sundhed og Omsorg har de udekørende teams med støtte- og kontaktpersoner, "
        "sygeplejen og hjemmeplejen.",
        "70 00 10 00",
        "Rådhustorvet 1, 9999 Bækkeby",
    ),
    "beskaeftigelse": (
        "Beskæftigelse",
        "beskaeftigelse",
        "Jobcentret, ydelsescentret og den boligsociale indsats.",
        "70 00 20 00",
        "Stationsvej 14, 9999 Bækkeby",
    ),
    "myndighed": (
        "Myndighed",
        "myndighed",
        "Afgørelser om støtte efter serviceloven til voksne, fx socialpædagogisk støtte "
        "efter § 85 med handleplan efter § 141.",
        "70 00 30 00",
        "Rådhustorvet 1, 9999 Bækkeby",
    ),
    "boern": (
        "Børn og Familie",
        "boern-og-familie",
        "Rådgivning og støtte til børn, unge og familier, herunder underretninger.",
        "70 00 40 00",
        "Skolegade 8, 9999 Bækkeby",
    ),
    "aeldre": (
        "Ældreområdet",
        "aeldreomraadet",
        "Visitation til hjemmehjælp, plejebolig og andre tilbud til ældre borgere.",
        "70 00 50 00",
        "Lindealléen 22, 9999 Bækkeby",
    ),
    "social": (
        "Social og Psykiatri",
        "social-og-psykiatri",
        "Socialpsykiatri, væresteder og behandling for rusmidler.",
        "70 00 60 00",
        "Møllegade 5, 9999 Bækkeby",
    ),
}

# The teams that take referrals; the others keep office hours.
OUTREACH_TEAMS = {"nord", "syd"}
# The outreach teams' hours as rows: (first weekday, last weekday or None, opens, closes);
# Monday is 0. The note says what the rows cannot.
OUTREACH_HOURS = [(0, 3, "07:00", "19:00"), (4, None, "07:00", "15:00")]
OUTREACH_HOURS_NOTE = (
    "Aftener og weekender kun, når kontakten ikke kan opnås på andre tidspunkter. "
    "Lukket på helligdage."
)
# Citizens each outreach team supports at a time: (lowest, highest); equal for one number.
OUTREACH_CAPACITY = {"nord": (40, 60), "syd": (50, 50)}
TEAM_NOTES = ["Teammøde tirsdag og torsdag kl. 8.30, hvor nye henvendelser fordeles."]

# key: (department, title, slug, phone, mailbox, address, description)
TEAMS = {
    "nord": (
        "sundhed",
        "Udekørende team Nord",
        "udekoerende-team-nord",
        "70 00 12 01",
        "skp.nord",
        "Nørregade 31, 9999 Bækkeby",
        "Støtte- og kontaktpersoner (SKP) for Bækkeby nord for åen. Vi opsøger borgere, "
        "der ikke selv finder vej til hjælpen, og bygger bro til de etablerede tilbud.",
    ),
    "syd": (
        "sundhed",
        "Udekørende team Syd",
        "udekoerende-team-syd",
        "70 00 12 02",
        "skp.syd",
        "Sønderbro 4, 9999 Bækkeby",
        "Støtte- og kontaktpersoner (SKP) for Bækkeby syd for åen og landsbyerne. Vi "
        "opsøger borgere, der ikke selv finder vej til hjælpen, og bygger bro til de "
        "etablerede tilbud.",
    ),
    "bolig": (
        "beskaeftigelse",
        "Boligsocialt team",
        "boligsocialt-team",
        "70 00 22 10",
        "boligsocial",
        "Stationsvej 14, 9999 Bækkeby",
        "Boligsociale medarbejdere, der sammen med de udekørende teams hjælper borgere "
        "med at få eller beholde en bolig, og som samarbejder med boligselskaberne.",
    ),
    "rusmiddel": (
        "social",
        "Rusmiddelcenteret",
        "rusmiddelcenteret",
        "70 00 61 00",
        "rusmiddel",
        "Møllegade 5, 9999 Bækkeby",
        "Rådgivning og behandling for alkohol- og stofmisbrug, også anonymt.",
    ),
    "familie": (
        "boern",
        "Familieafdelingen",
        "familieafdelingen",
        "70 00 41 00",
        "familie",
        "Skolegade 8, 9999 Bækkeby",
        "Tager imod henvendelser og underretninger om børn og unge under 18 år.",
    ),
    "myndighed": (
        "myndighed",
        "Myndighedsafdelingen",
        "myndighedsafdelingen",
        "70 00 31 00",
        "myndighed",
        "Rådhustorvet 1, 9999 Bækkeby",
        "Behandler ansøgninger om længerevarende støtte til voksne (§ 85) og udarbejder "
        "handleplaner (§ 141).",
    ),
    "aeldre": (
        "aeldre",
        "Ældrevisitationen",
        "aeldrevisitationen",
        "70 00 51 00",
        "visitation",
        "Lindealléen 22, 9999 Bækkeby",
        "Visiterer borgere over 65 år til hjælp og støtte i ældreområdet.",
    ),
}

# key: (title, slug, kind, phone, e-mail, address, opening hours, description)
PARTNERS = {
    "alarm": (
        "Alarm 112",
        "alarm-112",
        PartnerKind.EMERGENCY,
        "112",
        "",
        "",
        "Døgnet rundt.",
        "Ambulance og brandvæsen ved akut fare for liv eller helbred.",
    ),
    "politi": (
        "Politiet 114",
        "politi-114",
        PartnerKind.EMERGENCY,
        "114",
        "",
        "",
        "Døgnet rundt.",
        "Politiets servicenummer, når det ikke haster som 112. Politiet tager sig af "
        "opgaver, der kræver politiets indgriben, og af tvangsindlæggelse sammen med en læge.",
    ),
    "akuttelefon": (
        "Akuttelefonen 1813",
        "akuttelefonen-1813",
        PartnerKind.EMERGENCY,
        "1813",
        "",
        "",
        "Døgnet rundt.",
        "Akuttelefonen i Region Hovedstaden ved akut sygdom og skade, når det ikke er livstruende.",
    ),
    "herberg": (
        "Herberget Havnely",
        "herberget-havnely",
        PartnerKind.SHELTER,
        "70 00 80 10",
        f"havnely@{MAIL}",
        "Havnevej 17, 9999 Bækkeby",
        "Døgnåbent. Natcafé kl. 22-07.",
        "Herberg og forsorgshjem efter servicelovens § 110 med 24 pladser og natcafé.",
    ),
    "gadejurist": (
        "Gadejurist-rådgivningen Bækkeby",
        "gadejurist",
        PartnerKind.OTHER,
        "70 00 80 20",
        f"gadejurist@{MAIL}",
        "Værestedet Kilden, Møllegade 7, 9999 Bækkeby",
        "Tirsdag kl. 10-14 på Værestedet Kilden.",
        "Gratis juridisk rådgivning til hjemløse og socialt udsatte, fx om bøder, gæld "
        "og udsættelse af lejemål.",
    ),
    "kriminalforsorgen": (
        "Kriminalforsorgen, afdeling Bækkeby",
        "kriminalforsorgen",
        PartnerKind.OTHER,
        "70 00 80 30",
        f"kriminalforsorgen@{MAIL}",
        "Tinghusgade 3, 9999 Bækkeby",
        "",
        "Tilsyn og løsladelser. Vi samarbejder om borgere, der løslades uden en bolig.",
    ),
    "fjordby": (
        "SKP-teamet i Fjordby Kommune",
        "skp-fjordby",
        PartnerKind.MUNICIPALITY,
        "70 00 90 40",
        "skp@fjordby.example.dk",
        "Fjordvej 2, 9998 Fjordby",
        OPENING_HOURS,
        "Nabokommunens støtte- og kontaktpersoner. Henvendelser om borgere, der bor i "
        "Fjordby Kommune, sendes hertil.",
    ),
}

# --- Quality standards ---------------------------------------------------------------------

STANDARD_INDEX = {
    "slug": "kvalitetsstandarder",
    "title": "Kvalitetsstandarder",
    "intro": [
        f"De kvalitetsstandarder, som Social- og Sundhedsudvalget i {MUNICIPALITY} har "
        "godkendt. Standarden beskriver, hvad borgeren kan forvente, og dens frister "
        "styrer henvisningsforløbet i Brobygger."
    ],
}

APPROVAL_BODY = "Social- og Sundhedsudvalget"

# An older standard, approved three years ago: overdue for review. Team Nord delivers it
# besides the SKP standard: a § 85 referral to Nord follows it, every § 99 one the SKP's.
OLDER_STANDARD = {
    "slug": "socialpaedagogisk-stoette-85",
    "title": "Kvalitetsstandard for socialpædagogisk støtte (§ 85)",
    "departments": ["myndighed"],
    "approved_years_ago": 3,
    "delivering_teams": ["nord"],
    "rules": {
        "legal_basis_section": "85",
        "first_contact_deadline_days": 42,
        "case_handling_deadline_days": 42,
        "reassessment_interval_months": 12,
        "min_age": 18,
        "max_age": None,
    },
    "sections": [
        {"kind": "legal_basis", "text": ["Støtten gives efter servicelovens § 85."]},
        {
            "kind": "target_group",
            "text": [
                "Borgere over 18 år, der på grund af nedsat fysisk eller psykisk funktionsevne "
                "eller særlige sociale problemer har brug for længerevarende støtte i hverdagen."
            ],
        },
        {
            "kind": "case_handling",
            "text": ["Myndighedsafdelingen træffer afgørelse inden for 6 uger."],
        },
        {
            "kind": "how_to_apply",
            "text": [
                "Ansøgning sendes til {myndighed}, som udarbejder en handleplan efter "
                "servicelovens § 141."
            ],
        },
    ],
}

# A standard written the other way, as some municipalities write theirs: it promises no
# first-contact deadline, reassesses once, and sets no age limit. No team delivers it, so
# it governs no demo case; it shows how such a standard is entered and shown.
STREET_STANDARD = {
    "slug": "opsoegende-gadeplansarbejde",
    "title": "Kvalitetsstandard for opsøgende gadeplansarbejde (§ 99)",
    "departments": ["sundhed"],
    "approved_days_ago": 400,
    "rules": {
        "first_contact_rule": "none",
        "first_contact_deadline_days": None,
        "reassessment_rule": "once",
        "reassessment_interval_months": 4,
        "min_age": None,
        "max_age": None,
    },
    "sections": [
        {"kind": "legal_basis", "text": ["Støtten gives efter servicelovens § 99."]},
        {
            "kind": "target_group",
            "text": [
                "Borgere, der opholder sig på gaden eller i natvarmestuer, og som ikke selv "
                "tager kontakt til de etablerede tilbud. Der er ingen aldersgrænse."
            ],
        },
        {
            "kind": "activities",
            "text": [
                "Medarbejderne går på gaden på faste ruter og tager kontakt, når borgeren er "
                "klar til det. Der er derfor ingen fast frist for den første kontakt."
            ],
        },
        {
            "kind": "duration",
            "text": [
                "Forløbet vurderes én gang, cirka fire måneder efter at støtten er begyndt. "
                "Derefter aftales det løbende med borgeren, hvor længe støtten fortsætter."
            ],
        },
        {
            "heading": "Yderligere information",
            "text": [
                "Gadeplansteamets ruter og tidspunkter står på teamets side i kontaktoversigten."
            ],
        },
    ],
}

SKP_STANDARD = {
    "slug": "stoette-og-kontaktperson",
    "title": "Kvalitetsstandard for støtte- og kontaktperson (SKP), § 99",
    # Cross-departmental, as in the standards: the outreach teams of Sundhed og Omsorg with
    # the housing-social workers of Beskæftigelse.
    "departments": ["sundhed", "beskaeftigelse"],
    "delivering_teams": ["nord", "syd"],
    # Named on the public standard; the coordinators' directory entries are public.
    "contact_persons": ["koordinator_nord", "koordinator_syd"],
    "approved_days_ago": 120,
    "rules": {
        "first_contact_deadline_days": 7,
        "reassessment_interval_months": 4,
        "min_age": 18,
        "max_age": 65,
    },
    # (reason, the standard's own words for "other", team or partner key, note): rows with
    # the same reason are one reason with several destinations
    "redirects": [
        (RedirectReason.ACUTE, "", "alarm", "Ring 112 ved fare for liv og helbred."),
        (RedirectReason.ACUTE, "", "politi", "Politiet på 114, når det ikke haster som 112."),
        (
            RedirectReason.UNDER_AGE,
            "",
            "familie",
            "Bekymring for et barn: husk underretningspligten.",
        ),
        (RedirectReason.OVER_AGE, "", "aeldre", ""),
        (RedirectReason.SUBSTANCE_ABUSE, "", "rusmiddel", "Anonym rådgivning er mulig."),
        (RedirectReason.LONG_TERM_SUPPORT, "", "myndighed", "Ansøgning om støtte efter § 85."),
        (RedirectReason.OTHER_MUNICIPALITY, "", "fjordby", "Ellers borgerens bopælskommune."),
        (
            RedirectReason.OTHER,
            "Behov for lægehjælp, der ikke er livstruende",
            "akuttelefon",
            "Borgeren kan selv ringe; hjælp gerne med opkaldet.",
        ),
    ],
    "see_also_heading": "Se også",
    "see_also": ["older", "herberg", "gadejurist", "kriminalforsorgen"],
    # Every usual section, written from the scheme's published facts, in the order of the
    # document: an introduction without a heading first, and a section of its own
    # ("Kriterier") after the target group, as many municipalities write theirs.
    "sections": [
        {
            "text": [
                "Kvalitetsstandarden beskriver, hvad borgere, pårørende og samarbejdspartnere "
                "kan forvente af tilbuddet om en støtte- og kontaktperson: hvem støtten er for, "
                "hvad den indeholder, og hvordan man henvender sig.",
                "Kommunalbestyrelsen skal mindst hvert andet år tage stilling til standarden.",
            ]
        },
        {
            "kind": "legal_basis",
            "text": [
                "Støtten gives efter lov om social service (serviceloven) § 99. Kommunen skal "
                "tilbyde en støtte- og kontaktperson til borgere med en sindslidelse, et "
                "alkohol- eller stofmisbrug eller andre særlige sociale problemer, som ikke har "
                "en bolig eller ikke kan opholde sig i den.",
                "Støtten er ikke visiteret: der træffes ingen afgørelse om den, alle kan henvende "
                "sig, og teamet vurderer selv, om og hvordan det går ud.",
            ],
        },
        {
            "kind": "target_group",
            "text": [
                f"Borgere mellem 18 og 65 år i {MUNICIPALITY} med en sindslidelse, et misbrug "
                "eller andre alvorlige sociale problemer, som er hjemløse eller ikke kan blive i "
                "deres bolig, og som ikke selv tager kontakt til de etablerede tilbud.",
                "Henvendelser om børn og unge under 18 år sender vi videre til "
                "{familie}. Henvendelser om borgere over 65 år sender vi "
                "til {aeldre}.",
            ],
        },
        {
            "heading": "Kriterier",
            "text": [
                "Teamet vurderer ud fra en samlet helhedsvurdering, om borgeren er i målgruppen. "
                "Borgeren skal:",
                [
                    "være mellem 18 og 65 år,",
                    "have en sindslidelse, et alkohol- eller stofmisbrug eller andre særlige "
                    "sociale problemer,",
                    "være hjemløs eller ikke kunne opholde sig i sin bolig, og",
                    "ikke selv tage kontakt til de etablerede tilbud.",
                ],
            ],
        },
        {
            "kind": "purpose",
            "text": [
                "Formålet er at skabe kontakt og tillid til borgere, der står uden for "
                "fællesskabet og de etablerede tilbud, og at bygge bro til dem: bolig, psykiatri, "
                "misbrugsbehandling, jobcenter, egen læge og væresteder.",
                "Målene sætter vi sammen med borgeren, fx at komme i psykiatrisk behandling "
                "eller misbrugsbehandling, at få kontakt til sundhedsvæsenet, at få eller "
                "beholde en bolig, at få kontakt til jobcentret og sikre et forsørgelsesgrundlag "
                "eller at bryde den sociale isolation.",
            ],
        },
        {
            "kind": "activities",
            "text": [
                [
                    "Opsøgende kontakt der, hvor borgeren er: i hjemmet, på gaden, på biblioteket, "
                    "i butikscentret, på caféer og væresteder.",
                    "Samtaler om borgerens situation og ønsker, og fælles mål for forløbet.",
                    "Ledsagelse til møder og aftaler, fx hos lægen, i psykiatrien, på jobcentret "
                    "eller i boligselskabet.",
                    "Kontakt på telefon og sms mellem møderne.",
                    "Overlevering til de tilbud, der kan hjælpe borgeren videre. Oplysninger deles "
                    "kun med borgerens skriftlige samtykke.",
                ],
                "Støtten er frivillig og gratis. Borgeren kan være anonym, kan sige nej og kan "
                "til enhver tid trække sig.",
            ],
        },
        {
            "kind": "exclusions",
            "text": [
                [
                    "Akut hjælp ved fare for liv eller helbred: ring 112. Politiet: 114. "
                    "Akuttelefonen: 1813.",
                    "Behandling af sindslidelse eller misbrug.",
                    "Opgaver, der kræver politiets indgriben, og tvangsindlæggelse; dem varetager "
                    "politi og læge.",
                    "Når problemet først og fremmest er et misbrug, henviser vi til {rusmiddel}.",
                    "Længerevarende socialpædagogisk støtte efter servicelovens § 85. Den kræver "
                    "en afgørelse fra {myndighed} og en handleplan efter § 141. "
                    "Støtte- og kontaktpersonen kan hjælpe borgeren med at søge.",
                    "Praktisk hjælp, fx flytning af møbler.",
                ]
            ],
        },
        {
            "kind": "frequency",
            "text": [
                "Hyppigheden aftales med borgeren og justeres op og ned undervejs: fra én gang "
                "om måneden til flere gange om ugen.",
                "Vi arbejder på hverdage, mandag-torsdag kl. 7-19 og fredag kl. 7-15. Aften og "
                "weekend kun, når kontakten ikke kan skabes på andre tidspunkter.",
                "Teamet mødes to gange om ugen, gennemgår nye henvendelser og beslutter, om én "
                "eller to støtte- og kontaktpersoner tager sagen.",
            ],
        },
        {
            "kind": "duration",
            "text": [
                "Støtten er kortvarig eller akut og har ingen fast længste varighed.",
                "Efter 4 måneder vurderer støtte- og kontaktpersonen og borgeren sammen, om "
                "støtten skal fortsætte, ændres eller afsluttes. Fortsætter den, vurderes den "
                "igen hver 4. måned.",
            ],
        },
        {
            "kind": "citizen_responsibilities",
            "text": [
                "Borgeren deltager så vidt muligt i at sætte mål og aftale møder og giver "
                "besked, hvis en aftale ikke kan holdes.",
                "Borgeren beslutter selv, om oplysninger må deles med samarbejdspartnere, og "
                "giver i så fald et skriftligt samtykke.",
            ],
        },
        {
            "kind": "follow_up",
            "text": [
                "Målene følges op ved hver revurdering. Når forløbet slutter, registrerer vi "
                "hvorfor: overleveret til et etableret tilbud, målet er nået, borgeren har takket "
                "nej eller trukket sig, kontakten kunne ikke skabes, borgeren er flyttet eller "
                "død. Et afsluttet forløb kan genåbnes.",
                "Lederen gør hvert år status over ordningen til Social- og Sundhedsudvalget.",
            ],
        },
        {
            "kind": "documentation",
            "text": [
                "Henvendelser, kontakter, mål og samtykker noteres i Brobygger. Oplysninger om "
                "helbred, misbrug og sindslidelse er følsomme personoplysninger: kun de "
                "medarbejdere, der arbejder med sagen, har adgang, og al adgang logges.",
                "Støtte- og kontaktpersonen har tavshedspligt og ingen myndighedsbeføjelser. "
                "Undtagelsen er underretningspligten, fx når et barn kan være i fare.",
            ],
        },
        {
            "kind": "supplier",
            "text": [
                "Støtten leveres af {nord} og {syd} i Sundhed og "
                "Omsorg sammen med {bolig} fra Beskæftigelse.",
                "Teamene arbejder tæt sammen med Myndighedsafdelingen, Rusmiddelcenteret, "
                "jobcentret og boligselskaberne. Hver borger har én fast støtte- og "
                "kontaktperson og mindst én kollega, der kender forløbet.",
            ],
        },
        {
            "kind": "competences",
            "text": [
                "Støtte- og kontaktpersonerne er socialrådgivere, sygeplejersker, pædagoger "
                "eller ergoterapeuter med erfaring fra psykiatrien, misbrugsområdet eller det "
                "sociale arbejde med hjemløse. Teamet får løbende supervision og efteruddannelse."
            ],
        },
        {
            "kind": "case_handling",
            "text": [
                "Vi tager den første opsøgende kontakt senest 7 dage efter, at henvendelsen er "
                "modtaget.",
                "Da støtten ikke er visiteret, træffes der ingen afgørelse.",
            ],
        },
        {
            "kind": "how_to_apply",
            "text": [
                "Alle kan henvende sig: borgeren selv, pårørende, naboer, venner, "
                "boligselskaber, læger, politi og andre fagpersoner. Henvendelsen kan være "
                "anonym. Kontakt os personligt, på telefon, e-mail, sikker post eller brev:",
                [
                    "{nord}: {nord_phone}, {nord_email}",
                    "{syd}: {syd_phone}, {syd_email}",
                    "Sikker post: {nord_secure_email}",
                ],
                "Ved akut fare for liv eller helbred: ring 112.",
            ],
        },
        {
            "kind": "complaints",
            "text": [
                "Der træffes ingen afgørelse om støtten, og den kan derfor ikke påklages til "
                "Ankestyrelsen.",
                "Er du utilfreds med støtten eller med en medarbejders adfærd, kan du klage til "
                "afdelingschefen for Sundhed og Omsorg eller kontakte kommunens borgerrådgiver.",
            ],
        },
    ],
}

CONCERN_FORM = {
    "slug": "bekymret",
    "title": "Bekymret for en borger?",
    "intro": [
        "Kender du en person, der ikke har et sted at bo eller ikke kan blive i sin bolig, "
        "og som har det svært med psykisk sygdom, alkohol eller stoffer? Skriv til os, så "
        "tager en støtte- og kontaktperson kontakt til personen inden for 7 dage.",
        "Du må gerne være anonym. Ved akut fare for liv eller helbred: ring 112.",
    ],
    "thank_you_text": [
        "Tak for din henvendelse. Vi læser den på vores næste teammøde og beslutter, "
        "hvem der tager ud. Vi fortæller ikke, hvordan det går personen: vi har tavshedspligt."
    ],
}

# --- Staff ---------------------------------------------------------------------------------

# username: (first name, last name, job title, role keys, team keys)
STAFF = {
    "skp_nord_1": (
        "Mette",
        "Kragelund",
        "Støtte- og kontaktperson",
        [roles.OUTREACH_WORKER],
        ["nord"],
    ),
    "skp_nord_2": (
        "Jonas",
        "Bækgaard",
        "Støtte- og kontaktperson",
        [roles.OUTREACH_WORKER],
        ["nord"],
    ),
    "koordinator_nord": (
        "Birgitte",
        "Holmskov",
        "Koordinator",
        [roles.COORDINATOR],
        ["nord"],
    ),
    "skp_syd_1": (
        "Ahmad",
        "Lindvig",
        "Støtte- og kontaktperson",
        [roles.OUTREACH_WORKER],
        ["syd"],
    ),
    "skp_syd_2": (
        "Louise",
        "Engtoft",
        "Støtte- og kontaktperson",
        [roles.OUTREACH_WORKER],
        ["syd"],
    ),
    "koordinator_syd": ("Henrik", "Dalsmose", "Koordinator", [roles.COORDINATOR], ["syd"]),
    "bolig_1": (
        "Sanne",
        "Vestergaard Ry",
        "Boligsocial medarbejder",
        [roles.OUTREACH_WORKER],
        ["bolig"],
    ),
    "modtager_rusmiddel": (
        "Kasper",
        "Møllebjerg",
        "Misbrugskonsulent",
        [roles.RECEIVER],
        ["rusmiddel"],
    ),
    "modtager_familie": ("Nadia", "Skovbo", "Socialrådgiver", [roles.RECEIVER], ["familie"]),
    "modtager_myndighed": (
        "Peter",
        "Åkjær",
        "Myndighedssagsbehandler",
        [roles.RECEIVER],
        ["myndighed"],
    ),
    "modtager_aeldre": ("Lene", "Tofthøj", "Visitator", [roles.RECEIVER], ["aeldre"]),
    "redaktoer": ("Camilla", "Brobæk", "Webredaktør", [roles.EDITOR], []),
    "moderator": ("Thomas", "Lykkegaard", "Fagkonsulent", [roles.MODERATOR], []),
    "leder": ("Hanne", "Rosendal", "Afdelingsleder", [roles.LEADER], []),
    "administrator": ("Morten", "Kjærsgaard", "Systemadministrator", [roles.ADMINISTRATOR], []),
    "databeskyttelse": (
        "Rikke",
        "Sandholm",
        "Databeskyttelsesrådgiver",
        [roles.DATA_PROTECTION],
        [],
    ),
}
SUPERUSERS = {"administrator"}
# Staff shown on the public team pages (name, job title, work phone, e-mail); the rest of the
# staff are private, as every directory entry is until marked public.
PUBLIC_STAFF = {"koordinator_nord", "koordinator_syd"}

# --- Referral cases ------------------------------------------------------------------------

# The two contacts of every case that reaches support: a failed and an achieved attempt,
# 2 and 4 days after the referral.
ATTEMPTS_BEFORE_SUPPORT = [
    {
        "achieved": False,
        "kind": ContactKind.HOME_VISIT,
        "days_after": 2,
        "note": "Ingen lukkede op. Efterlod et kort med telefonnummer.",
    },
    {
        "achieved": True,
        "kind": ContactKind.PUBLIC_SPACE,
        "days_after": 4,
        "note": "Mødt på bænken ved biblioteket. Ville gerne snakke igen i næste uge.",
    },
]

# A referral case at every step of the process, and two closed ones; found again by the
# person's alias. A person's "age" is their age this year (their birth year is derived).
# Each step names a function of workflows.demo.build and its arguments; staff and teams
# by key.
CASES = [
    {  # triage: a neighbour's concern, waiting in team Nord's queue
        "alias": "Manden på bænken i Åparken",
        "team": "nord",
        "days_ago": 1,
        "source": "Andre/naboer",
        "concern": "Har sovet på bænken i Åparken de sidste nætter. Virker forvirret og "
        "taler med sig selv. Naboen er bekymret, nu hvor det bliver koldt.",
        "person": {
            "whereabouts": "Åparken ved legepladsen, mest om morgenen.",
            "gender": Gender.MALE,
            "age_group": AgeGroup.AGE_40_49,
            "housing": Housing.SLEEPING_ROUGH,
        },
        "referral": {
            "concern_categories": [ConcernCategory.HOMELESSNESS, ConcernCategory.MENTAL_HEALTH],
            "referrer_name": "",
        },
        "registered_by": "skp_nord_1",
        "steps": [],
    },
    {  # triage, overdue: the 7 days have passed without a first contact
        "alias": "Kvinden fra opgang 7",
        "team": "syd",
        "days_ago": 9,
        "source": "Boligselskab",
        "concern": "Ejendomsfunktionæren fortæller, at lejligheden lugter, at posten hober "
        "sig op, og at hun ikke åbner for nogen. Huslejen er ikke betalt i to måneder.",
        "person": {
            "whereabouts": "Søndergade 7, 2. th. (lejlighed i boligselskabet)",
            "gender": Gender.FEMALE,
            "age": 58,
            "housing": Housing.OWN_HOME,
        },
        "referral": {
            "concern_categories": [ConcernCategory.HEALTH, ConcernCategory.FINANCES],
            "channel": Channel.EMAIL,
            "referrer_name": "Ejendomsfunktionær, Boligselskabet Bækkebo",
        },
        "registered_by": "koordinator_syd",
        "steps": [],
    },
    {  # outreach: accepted, two contact persons, one failed attempt so far
        "alias": "Kvinden med den røde cykel",
        "team": "nord",
        "days_ago": 5,
        "source": "Herberg",
        "concern": "Har overnattet på herberget i en uge og vil ikke tale med personalet om "
        "at søge bolig. Drikker meget.",
        "person": {
            "whereabouts": "Herberget Havnely og pladsen ved stationen.",
            "gender": Gender.FEMALE,
            "age_group": AgeGroup.AGE_30_39,
            "housing": Housing.SHELTER,
            "main_problem": MainProblem.SUBSTANCE_ABUSE,
        },
        "referral": {"channel": Channel.PHONE},
        "registered_by": "koordinator_nord",
        "steps": [
            (
                "accept",
                {"coordinator": "koordinator_nord", "worker": "skp_nord_1", "second": "skp_nord_2"},
            ),
            (
                "contact",
                {
                    "worker": "skp_nord_1",
                    "achieved": False,
                    "kind": ContactKind.PUBLIC_SPACE,
                    "days_ago": 2,
                    "note": "Ikke på pladsen ved stationen. Personalet på herberget giver "
                    "hende en hilsen.",
                },
            ),
        ],
    },
    {  # support: contact made, goals set, consent to the housing team
        "alias": "Jens fra kolonihaven",
        "team": "nord",
        "days_ago": 30,
        "source": "Pårørende",
        "concern": "Søsteren fortæller, at han har boet i sit kolonihavehus siden han blev "
        "sat ud i foråret, og at han ikke får sin medicin.",
        "person": {
            "name": "Jens Ravnsborg",
            "whereabouts": "Kolonihaveforeningen Solsikken, have 41.",
            "gender": Gender.MALE,
            "age": 47,
            "housing": Housing.FAMILY_FRIENDS,
            "main_problem": MainProblem.MENTAL_ILLNESS,
            "income_source": IncomeSource.CASH_BENEFIT,
        },
        "referral": {},
        "registered_by": "koordinator_nord",
        "steps": [
            ("into_support", {"coordinator": "koordinator_nord", "worker": "skp_nord_2"}),
            (
                "goal",
                {
                    "by": "skp_nord_2",
                    "area": GoalArea.HOUSING,
                    "description": "Søge en almen bolig gennem boligsocialt team.",
                },
            ),
            (
                "goal",
                {
                    "by": "skp_nord_2",
                    "area": GoalArea.PSYCHIATRY,
                    "description": "Genoptage kontakten til distriktspsykiatrien.",
                },
            ),
            (
                "consent",
                {
                    "by": "skp_nord_2",
                    "receiver": "bolig",
                    "information": "Boligsituation, økonomi og kontaktoplysninger.",
                    "form": ConsentForm.WRITTEN,
                },
            ),
        ],
    },
    {  # handover: sent to the addiction centre, waiting for it to acknowledge
        "alias": "Lone ved stationen",
        "team": "syd",
        "days_ago": 40,
        "source": "Kriminalforsorgen",
        "concern": "Løsladt for tre uger siden uden et sted at bo. Har et stort forbrug af "
        "hash og alkohol og ønsker selv hjælp til at stoppe.",
        "person": {
            "whereabouts": "Stationspladsen og værestedet Kilden.",
            "gender": Gender.FEMALE,
            "age": 29,
            "housing": Housing.PRISON_RELEASE,
            "main_problem": MainProblem.SUBSTANCE_ABUSE,
        },
        "referral": {},
        "registered_by": "koordinator_syd",
        "steps": [
            (
                "into_support",
                {"coordinator": "koordinator_syd", "worker": "skp_syd_1", "second": "skp_syd_2"},
            ),
            (
                "goal",
                {
                    "by": "skp_syd_1",
                    "area": GoalArea.ADDICTION,
                    "description": "Starte i behandling på Rusmiddelcenteret.",
                },
            ),
            (
                "consent",
                {
                    "by": "skp_syd_1",
                    "receiver": "rusmiddel",
                    "information": "Forbrug, behandlingsønsker og kontaktoplysninger.",
                    "form": ConsentForm.WRITTEN,
                },
            ),
            ("end_support_for_handover", {"by": "skp_syd_1"}),
            (
                "hand_over",
                {
                    "by": "skp_syd_1",
                    "receiving_team": "rusmiddel",
                    "summary": "Lone ønsker behandling for hash og alkohol. Hun kommer på "
                    "Kilden de fleste formiddage og vil gerne have følgeskab til det første "
                    "møde.",
                    "basis": HandoverBasis.CONSENT,
                },
            ),
        ],
    },
    {  # reassessment: the support began 4 months ago and is due for review
        "alias": "Manden med hunden",
        "team": "syd",
        "days_ago": 130,
        "source": "Jobcenter",
        "concern": "Kommer ikke til samtaler på jobcentret og har mistet sin kontanthjælp. "
        "Bor i sin bil med sin hund.",
        "person": {
            "name": "Bent Kloster",
            "whereabouts": "Parkeringspladsen ved havnen; går tur med hunden på stranden.",
            "gender": Gender.MALE,
            "age": 61,
            "housing": Housing.SLEEPING_ROUGH,
            "main_problem": MainProblem.BOTH,
            "income_source": IncomeSource.NONE,
        },
        "referral": {},
        "registered_by": "koordinator_syd",
        "steps": [
            ("into_support", {"coordinator": "koordinator_syd", "worker": "skp_syd_2"}),
            (
                "goal",
                {
                    "by": "skp_syd_2",
                    "area": GoalArea.INCOME,
                    "description": "Genoptage kontanthjælpen: følges til jobcentret.",
                },
            ),
            ("reassessment_due", {"support_started_days_ago": 125}),
        ],
    },
    {  # closed at triage: under 18, redirected to the family department
        "alias": "Drengen ved skaterbanen",
        "team": "syd",
        "days_ago": 12,
        "source": "Andre/naboer",
        "concern": "En dreng på omkring 16 år sover i skuret ved skaterbanen.",
        "person": {
            "whereabouts": "Skaterbanen ved Sønderbro.",
            "gender": Gender.MALE,
            "age": 16,
            "housing": Housing.SLEEPING_ROUGH,
        },
        "referral": {},
        "registered_by": "koordinator_syd",
        "steps": [
            (
                "redirect",
                {
                    "coordinator": "koordinator_syd",
                    "reason": RedirectReason.UNDER_AGE,
                    "note": "Underretning sendt til Familieafdelingen samme dag.",
                },
            ),
        ],
    },
    {  # closed in outreach: he declined the support
        "alias": "Manden i skurvognen",
        "team": "nord",
        "days_ago": 20,
        "source": "Selvhenvendelse",
        "concern": "Ringede selv og spurgte til hjælp med en bolig, men ville ikke give sit navn.",
        "person": {
            "whereabouts": "Skurvognen på byggegrunden ved Nørregade.",
            "gender": Gender.MALE,
            "age_group": AgeGroup.AGE_50_59,
            "housing": Housing.SLEEPING_ROUGH,
        },
        "referral": {},
        "registered_by": "skp_nord_1",
        "steps": [
            ("accept", {"coordinator": "koordinator_nord", "worker": "skp_nord_1"}),
            (
                "declined",
                {
                    "worker": "skp_nord_1",
                    "note": "Ønskede ikke støtte, da vi mødte ham. Han har vores nummer.",
                },
            ),
        ],
    },
]
