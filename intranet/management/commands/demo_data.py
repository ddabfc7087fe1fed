"""Demo data: the invented Bækkeby Kommune, its teams, quality standards, staff and cases.

Idempotent: what exists (pages by slug, users by username, cases by the person's alias) is
left as it is, so edits made while trying the demo survive the next `./dev serve`; only what
is missing is created. Every
name, address, phone number and e-mail address is invented; only the emergency numbers
and the legal facts are real.
"""

import functools
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from wagtail.models import Page, Site

from intranet import roles
from intranet.roles import ROLES
from pages.models import (
    ConcernFormPage,
    DepartmentPage,
    DirectoryPage,
    EmergencyNumbers,
    HomePage,
    PartnerKind,
    PartnerPage,
    RedirectReason,
    StaffMember,
    StandardIndexPage,
    StandardPage,
    StandardRedirect,
    TeamPage,
)
from workflows import services
from workflows.flows import ReferralFlow
from workflows.models import (
    AgeGroup,
    Case,
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
    Person,
    ReferralSource,
)

MUNICIPALITY = "Bækkeby Kommune"
# Shared by every demo account; printed at the end. Never used outside the demo.
DEMO_PASSWORD = "Brobygger-demo-2026"  # noqa: S105
LOGIN_URL = "http://127.0.0.1:8000/konto/login/"
MAIL = "baekkeby.example.dk"
OPENING_HOURS = "Mandag-torsdag kl. 7-19, fredag kl. 7-15."


def _p(*paragraphs):
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def _ul(*items):
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _page_link(page, text=None):
    return f'<a linktype="page" id="{page.pk}">{text or page.title}</a>'


# --- Pages ---------------------------------------------------------------------------------


def publish_child(parent, model, slug, *, user, **fields):
    """The child `slug` of `parent`; created and published (with a revision) if missing."""
    existing = Page.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        existing = existing.specific
        if not isinstance(existing, model):
            raise CommandError(
                f"{existing.url_path} is a {type(existing).__name__}, expected {model.__name__}."
            )
        return existing
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision(user=user, log_action=True).publish(user=user)
    return model.objects.get(pk=page.pk)


def create_site(*, user):
    """A HomePage as the default site's root, in place of Wagtail's welcome page."""
    root = Page.get_first_root_node()
    if root is None:
        raise CommandError("Wagtail's root page is missing: run `manage.py migrate` first.")
    home = HomePage.objects.first()
    if home is None:
        home = publish_child(
            root,
            HomePage,
            "forside",
            user=user,
            title=MUNICIPALITY,
            intro=_p(
                f"Her finder du {MUNICIPALITY}s kvalitetsstandard for støtte- og "
                "kontaktpersoner (SKP) efter servicelovens § 99, og hvem du kan kontakte, hvis "
                "du er bekymret for en borger, der ikke selv søger hjælp.",
            ),
            body=[
                {
                    "type": "callout",
                    "value": {
                        "heading": "Ikke et akuttilbud",
                        "text": _p(
                            "Ved akut fare for liv eller helbred: ring 112. Politiet: 114. "
                            "Akuttelefonen: 1813."
                        ),
                    },
                }
            ],
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=MUNICIPALITY,
        )
    elif site.root_page_id != home.pk or site.site_name != MUNICIPALITY:
        site.root_page = home
        site.site_name = MUNICIPALITY
        site.save()
    # Wagtail's "Welcome to your new Wagtail site!" page, now that no site uses it.
    Page.objects.filter(
        depth=2,
        slug="home",
        content_type__app_label="wagtailcore",
        content_type__model="page",
        numchild=0,
        sites_rooted_here__isnull=True,
    ).delete()
    site = Site.objects.get(is_default_site=True)
    EmergencyNumbers.objects.get_or_create(site=site)
    return home


@dataclass
class Directory:
    """The pages the rest of the demo refers to, by a short key."""

    departments: dict
    teams: dict
    partners: dict


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


def create_directory(home, *, user):
    """The contact directory: departments with their teams, and the external partners."""
    directory = publish_child(
        home,
        DirectoryPage,
        "kontakt",
        user=user,
        title="Kontakt",
        intro=_p(
            f"Afdelinger og teams i {MUNICIPALITY} og de samarbejdspartnere, vi henviser "
            "til. Ved akut fare for liv eller helbred: ring 112."
        ),
    )
    departments = {
        key: publish_child(
            directory,
            DepartmentPage,
            slug,
            user=user,
            title=title,
            description=_p(description),
            phone=phone,
            email=f"{slug}@{MAIL}",
            address=address,
            opening_hours="Mandag-fredag kl. 8-15.",
        )
        for key, (title, slug, description, phone, address) in DEPARTMENTS.items()
    }
    teams = {}
    for key, (department, title, slug, phone, mailbox, address, description) in TEAMS.items():
        teams[key] = publish_child(
            departments[department],
            TeamPage,
            slug,
            user=user,
            title=title,
            description=_p(description),
            phone=phone,
            email=f"{mailbox}@{MAIL}",
            secure_email=f"{mailbox}.sikkerpost@{MAIL}",
            address=address,
            opening_hours=OPENING_HOURS if key in {"nord", "syd"} else "Mandag-fredag kl. 8-15.",
            internal_notes=_p(
                "Teammøde tirsdag og torsdag kl. 8.30, hvor nye henvendelser fordeles."
            ),
            notification_email=f"{mailbox}.opgaver@{MAIL}",
        )
    partners = {
        key: publish_child(
            directory,
            PartnerPage,
            slug,
            user=user,
            title=title,
            kind=kind,
            phone=phone,
            email=email,
            address=address,
            opening_hours=hours,
            description=_p(description),
        )
        for key, (title, slug, kind, phone, email, address, hours, description) in (
            PARTNERS.items()
        )
    }
    return Directory(departments, teams, partners)


# --- Quality standards ---------------------------------------------------------------------


def _skp_sections(d):
    """Every section of the SKP standard, written from the scheme's published facts."""
    nord, syd = d.teams["nord"], d.teams["syd"]
    return {
        "legal_basis": _p(
            "Støtten gives efter lov om social service (serviceloven) § 99. Kommunen skal "
            "tilbyde en støtte- og kontaktperson til borgere med en sindslidelse, et "
            "alkohol- eller stofmisbrug eller andre særlige sociale problemer, som ikke har "
            "en bolig eller ikke kan opholde sig i den.",
            "Støtten er ikke visiteret: der træffes ingen afgørelse om den, alle kan henvende "
            "sig, og teamet vurderer selv, om og hvordan det går ud.",
        ),
        "target_group": _p(
            f"Borgere mellem 18 og 65 år i {MUNICIPALITY} med en sindslidelse, et misbrug "
            "eller andre alvorlige sociale problemer, som er hjemløse eller ikke kan blive i "
            "deres bolig, og som ikke selv tager kontakt til de etablerede tilbud.",
            "Henvendelser om børn og unge under 18 år sender vi videre til "
            f"{_page_link(d.teams['familie'])}. Henvendelser om borgere over 65 år sender vi "
            f"til {_page_link(d.teams['aeldre'])}.",
        ),
        "purpose": _p(
            "Formålet er at skabe kontakt og tillid til borgere, der står uden for "
            "fællesskabet og de etablerede tilbud, og at bygge bro til dem: bolig, psykiatri, "
            "misbrugsbehandling, jobcenter, egen læge og væresteder.",
            "Målene sætter vi sammen med borgeren, fx at komme i psykiatrisk behandling "
            "eller misbrugsbehandling, at få kontakt til sundhedsvæsenet, at få eller "
            "beholde en bolig, at få kontakt til jobcentret og sikre et forsørgelsesgrundlag "
            "eller at bryde den sociale isolation.",
        ),
        "activities": _ul(
            "Opsøgende kontakt der, hvor borgeren er: i hjemmet, på gaden, på biblioteket, i "
            "butikscentret, på caféer og væresteder.",
            "Samtaler om borgerens situation og ønsker, og fælles mål for forløbet.",
            "Ledsagelse til møder og aftaler, fx hos lægen, i psykiatrien, på jobcentret "
            "eller i boligselskabet.",
            "Kontakt på telefon og sms mellem møderne.",
            "Overlevering til de tilbud, der kan hjælpe borgeren videre. Oplysninger deles "
            "kun med borgerens skriftlige samtykke.",
        )
        + _p(
            "Støtten er frivillig og gratis. Borgeren kan være anonym, kan sige nej og kan "
            "til enhver tid trække sig."
        ),
        "exclusions": _ul(
            "Akut hjælp ved fare for liv eller helbred: ring 112. Politiet: 114. "
            "Akuttelefonen: 1813.",
            "Behandling af sindslidelse eller misbrug.",
            "Opgaver, der kræver politiets indgriben, og tvangsindlæggelse; dem varetager "
            "politi og læge.",
            "Når problemet først og fremmest er et misbrug, henviser vi til "
            f"{_page_link(d.teams['rusmiddel'])}.",
            "Længerevarende socialpædagogisk støtte efter servicelovens § 85. Den kræver en "
            f"afgørelse fra {_page_link(d.teams['myndighed'])} og en handleplan efter § 141. "
            "Støtte- og kontaktpersonen kan hjælpe borgeren med at søge.",
            "Praktisk hjælp, fx flytning af møbler.",
        ),
        "frequency": _p(
            "Hyppigheden aftales med borgeren og justeres op og ned undervejs: fra én gang "
            "om måneden til flere gange om ugen.",
            "Vi arbejder på hverdage, mandag-torsdag kl. 7-19 og fredag kl. 7-15. Aften og "
            "weekend kun, når kontakten ikke kan skabes på andre tidspunkter.",
            "Teamet mødes to gange om ugen, gennemgår nye henvendelser og beslutter, om én "
            "eller to støtte- og kontaktpersoner tager sagen.",
        ),
        "duration": _p(
            "Støtten er kortvarig eller akut og har ingen fast længste varighed.",
            "Efter 4 måneder vurderer støtte- og kontaktpersonen og borgeren sammen, om "
            "støtten skal fortsætte, ændres eller afsluttes. Fortsætter den, vurderes den "
            "igen hver 4. måned.",
        ),
        "citizen_responsibilities": _p(
            "Borgeren deltager så vidt muligt i at sætte mål og aftale møder og giver "
            "besked, hvis en aftale ikke kan holdes.",
            "Borgeren beslutter selv, om oplysninger må deles med samarbejdspartnere, og "
            "giver i så fald et skriftligt samtykke.",
        ),
        "follow_up": _p(
            "Målene følges op ved hver revurdering. Når forløbet slutter, registrerer vi "
            "hvorfor: overleveret til et etableret tilbud, målet er nået, borgeren har takket "
            "nej eller trukket sig, kontakten kunne ikke skabes, borgeren er flyttet eller "
            "død. Et afsluttet forløb kan genåbnes.",
            "Lederen gør hvert år status over ordningen til Social- og Sundhedsudvalget.",
        ),
        "documentation": _p(
            "Henvendelser, kontakter, mål og samtykker noteres i Brobygger. Oplysninger om "
            "helbred, misbrug og sindslidelse er følsomme personoplysninger: kun de "
            "medarbejdere, der arbejder med sagen, har adgang, og al adgang logges.",
            "Støtte- og kontaktpersonen har tavshedspligt og ingen myndighedsbeføjelser. "
            "Undtagelsen er underretningspligten, fx når et barn kan være i fare.",
        ),
        "supplier": _p(
            f"Støtten leveres af {_page_link(nord)} og {_page_link(syd)} i Sundhed og "
            f"Omsorg sammen med {_page_link(d.teams['bolig'])} fra Beskæftigelse.",
            "Teamene arbejder tæt sammen med Myndighedsafdelingen, Rusmiddelcenteret, "
            "jobcentret og boligselskaberne. Hver borger har én fast støtte- og "
            "kontaktperson og mindst én kollega, der kender forløbet.",
        ),
        "competences": _p(
            "Støtte- og kontaktpersonerne er socialrådgivere, sygeplejersker, pædagoger "
            "eller ergoterapeuter med erfaring fra psykiatrien, misbrugsområdet eller det "
            "sociale arbejde med hjemløse. Teamet får løbende supervision og efteruddannelse."
        ),
        "case_handling": _p(
            "Vi tager den første opsøgende kontakt senest 7 dage efter, at henvendelsen er "
            "modtaget.",
            "Da støtten ikke er visiteret, træffes der ingen afgørelse.",
        ),
        "how_to_apply": _p(
            "Alle kan henvende sig: borgeren selv, pårørende, naboer, venner, "
            "boligselskaber, læger, politi og andre fagpersoner. Henvendelsen kan være "
            "anonym. Kontakt os personligt, på telefon, e-mail, sikker post eller brev:"
        )
        + _ul(
            f"{_page_link(nord)}: {nord.phone}, {nord.email}",
            f"{_page_link(syd)}: {syd.phone}, {syd.email}",
            f"Sikker post: {nord.secure_email}",
        )
        + _p("Ved akut fare for liv eller helbred: ring 112."),
        "complaints": _p(
            "Der træffes ingen afgørelse om støtten, og den kan derfor ikke påklages til "
            "Ankestyrelsen.",
            "Er du utilfreds med støtten eller med en medarbejders adfærd, kan du klage til "
            "afdelingschefen for Sundhed og Omsorg eller kontakte kommunens borgerrådgiver.",
        ),
    }


def _years_later(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def create_standards(home, directory, *, user):
    """The SKP standard with its rules and redirects, plus an older one overdue for review."""
    index = publish_child(
        home,
        StandardIndexPage,
        "kvalitetsstandarder",
        user=user,
        title="Kvalitetsstandarder",
        intro=_p(
            f"De kvalitetsstandarder, som Social- og Sundhedsudvalget i {MUNICIPALITY} har "
            "godkendt. Standarden beskriver, hvad borgeren kan forvente, og dens frister "
            "styrer henvisningsforløbet i Brobygger."
        ),
    )
    today = timezone.localdate()
    # Created first, so the SKP standard stays the most recently published one.
    older_approval = _years_later(today, -3)
    older = publish_child(
        index,
        StandardPage,
        "socialpaedagogisk-stoette-85",
        user=user,
        title="Kvalitetsstandard for socialpædagogisk støtte (§ 85)",
        responsible_department=directory.departments["myndighed"],
        legal_basis=_p("Støtten gives efter servicelovens § 85."),
        target_group=_p(
            "Borgere over 18 år, der på grund af nedsat fysisk eller psykisk funktionsevne "
            "eller særlige sociale problemer har brug for længerevarende støtte i hverdagen."
        ),
        case_handling=_p("Myndighedsafdelingen træffer afgørelse inden for 6 uger."),
        how_to_apply=_p(
            f"Ansøgning sendes til {_page_link(directory.teams['myndighed'])}, som "
            "udarbejder en handleplan efter servicelovens § 141."
        ),
        first_contact_deadline_days=42,
        reassessment_interval_months=12,
        min_age=18,
        max_age=None,
        approval_body="Social- og Sundhedsudvalget",
        approval_date=older_approval,
        next_review_date=_years_later(older_approval, 2),
    )
    approval = today - timedelta(days=120)
    teams, partners = directory.teams, directory.partners
    redirects = [
        ("acute", partners["alarm"], "Ring 112 med det samme; politiet på 114."),
        ("under_age", teams["familie"], "Bekymring for et barn: husk underretningspligten."),
        ("over_age", teams["aeldre"], ""),
        ("substance_abuse", teams["rusmiddel"], "Anonym rådgivning er mulig."),
        ("long_term_support", teams["myndighed"], "Ansøgning om støtte efter § 85."),
        ("other_municipality", partners["fjordby"], "Ellers borgerens bopælskommune."),
    ]
    skp = publish_child(
        index,
        StandardPage,
        "stoette-og-kontaktperson",
        user=user,
        title="Kvalitetsstandard for støtte- og kontaktperson (SKP), § 99",
        responsible_department=directory.departments["sundhed"],
        delivering_teams=[teams["nord"], teams["syd"]],
        redirects=[
            StandardRedirect(reason=reason, destination=destination, note=note)
            for reason, destination, note in redirects
        ],
        first_contact_deadline_days=7,
        reassessment_interval_months=4,
        min_age=18,
        max_age=65,
        approval_body="Social- og Sundhedsudvalget",
        approval_date=approval,
        next_review_date=_years_later(approval, 2),
        body=[
            {
                "type": "links",
                "value": {
                    "heading": "Se også",
                    "links": [
                        {"page": page.pk, "label": ""}
                        for page in [
                            older,
                            partners["herberg"],
                            partners["gadejurist"],
                            partners["kriminalforsorgen"],
                        ]
                    ],
                },
            }
        ],
        **_skp_sections(directory),
    )
    return skp


def create_concern_form(home, standard, *, user):
    """The public form where anyone can tell the outreach teams about a person they worry about."""
    return publish_child(
        home,
        ConcernFormPage,
        "bekymret",
        user=user,
        title="Bekymret for en borger?",
        intro=_p(
            "Kender du en person, der ikke har et sted at bo eller ikke kan blive i sin bolig, "
            "og som har det svært med psykisk sygdom, alkohol eller stoffer? Skriv til os, så "
            "tager en støtte- og kontaktperson kontakt til personen inden for 7 dage.",
            "Du må gerne være anonym. Ved akut fare for liv eller helbred: ring 112.",
        ),
        thank_you_text=_p(
            "Tak for din henvendelse. Vi læser den på vores næste teammøde og beslutter, "
            "hvem der tager ud. Vi fortæller ikke, hvordan det går personen: vi har tavshedspligt."
        ),
        standard=standard,
    )


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


def create_admin_user():
    """The administrator first: the pages' revisions are recorded as theirs."""
    return _user("administrator")


@functools.cache
def _demo_password_hash():
    # One hash for all demo users: hashing is slow by design, and they share the password.
    return make_password(DEMO_PASSWORD)


def _user(username):
    first_name, last_name, _title, role_keys, _teams = STAFF[username]
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username.replace('_', '.')}@{MAIL}",
            "is_staff": username in SUPERUSERS,
            "is_superuser": username in SUPERUSERS,
        },
    )
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    wanted = Group.objects.filter(name__in=[ROLES[key].group_name for key in role_keys])
    missing = wanted.exclude(pk__in=user.groups.values("pk"))
    if missing.exists():
        user.groups.add(*missing)
    return user


def create_staff(directory):
    """A user and a directory entry for every demo persona, linked to their teams."""
    users = {}
    for number, (username, (first, last, title, _roles, team_keys)) in enumerate(
        STAFF.items(), start=1
    ):
        user = _user(username)
        member, _created = StaffMember.objects.get_or_create(
            user=user,
            defaults={
                "name": f"{first} {last}",
                "job_title": title,
                "work_phone": f"70 00 99 {number:02d}",
                "mobile": f"20 00 99 {number:02d}",
                "email": user.email,
            },
        )
        teams = {directory.teams[key].pk for key in team_keys}
        if set(member.teams.values_list("pk", flat=True)) != teams:
            member.teams.set(teams)
            member.save()
        users[username] = user
    return users


# --- Referral cases ------------------------------------------------------------------------


def _open_task(case, name):
    return (
        Task.objects.filter(
            process_id=case.process_id,
            flow_task=getattr(ReferralFlow, name),
            status__in=services.tasks.OPEN_STATUSES,
        )
        .order_by("-pk")
        .first()
    )


def _complete(case, name, user, decision, work):
    """Take the open task `name` (if nobody has) and complete it as the work screens do."""
    task = _open_task(case, name)
    if task.owner_id is None:
        services.task_claim(task=task, user=user)
        task.refresh_from_db()
    services.task_complete(task=task, user=user, work=work, decision=decision)
    case.refresh_from_db()
    return case


def _register(alias, *, team, days_ago, source, concern, person, registered_by, **referral):
    return services.referral_register(
        team=team,
        person=Person(alias=alias, **person),
        concern=concern,
        channel=referral.pop("channel", Channel.PHONE),
        received_at=timezone.now() - timedelta(days=days_ago),
        source=ReferralSource.objects.filter(name=source).first(),
        registered_by=registered_by,
        **referral,
    )


def _accept(case, coordinator, worker, second=None):
    return _complete(
        case,
        "triage",
        coordinator,
        "accept",
        lambda c: services.referral_accept(
            case=c, primary_worker=worker, second_worker=second, triaged_by=coordinator
        ),
    )


def _contact(case, worker, *, achieved, kind, days_ago, note):
    services.contact_log_add(
        case=case,
        worker=worker,
        kind=kind,
        achieved=achieved,
        occurred_at=timezone.now() - timedelta(days=days_ago),
        duration_minutes=30 if achieved else 10,
        note=note,
    )


def _finish_outreach(case, worker, result, note=""):
    return _complete(
        case,
        "outreach",
        worker,
        result,
        lambda c: services.outreach_finish(case=c, result=result, note=note, by=worker),
    )


def _in_support(alias, *, coordinator, worker, second=None, **register):
    case = _register(alias, registered_by=coordinator, **register)
    _accept(case, coordinator, worker, second)
    _contact(
        case,
        worker,
        achieved=False,
        kind=ContactKind.HOME_VISIT,
        days_ago=register["days_ago"] - 2,
        note="Ingen lukkede op. Efterlod et kort med telefonnummer.",
    )
    _contact(
        case,
        worker,
        achieved=True,
        kind=ContactKind.PUBLIC_SPACE,
        days_ago=register["days_ago"] - 4,
        note="Mødt på bænken ved biblioteket. Ville gerne snakke igen i næste uge.",
    )
    return _finish_outreach(case, worker, services.OutreachResult.CONTACT_MADE)


def _reassessment_due(case, *, support_started):
    """Backdate a case's support period and fire its timer, as `workflow_timers` would.

    Demo only: it puts a case at the reassessment step today instead of in 4 months.
    """
    due = services.add_months(support_started, 4)
    Case.objects.filter(pk=case.pk).update(
        support_started_at=support_started, reassessment_due_at=due
    )
    timer = Task.objects.get(
        process_id=case.process_id,
        flow_task=ReferralFlow.wait_for_reassessment,
        status=STATUS.SCHEDULED,
    )
    Task.objects.filter(pk=timer.pk).update(scheduled=due)
    timer.refresh_from_db()
    with timer.activation() as activation:
        activation.start()
        activation.execute()
    case.refresh_from_db()
    return case


def create_demo_cases(*, directory, users):
    """A referral case at every step of the process, and two closed ones.

    Found again by the person's alias, so a second run adds nothing.
    """
    teams = directory.teams
    nord, syd = teams["nord"], teams["syd"]
    koordinator_nord, koordinator_syd = users["koordinator_nord"], users["koordinator_syd"]
    skp_nord_1, skp_nord_2 = users["skp_nord_1"], users["skp_nord_2"]
    skp_syd_1, skp_syd_2 = users["skp_syd_1"], users["skp_syd_2"]
    existing = set(Person.objects.values_list("alias", flat=True))
    year = timezone.localdate().year

    def new(alias):
        return alias not in existing

    alias = "Manden på bænken i Åparken"
    if new(alias):  # triage: a neighbour's concern, waiting in team Nord's queue
        _register(
            alias,
            team=nord,
            days_ago=1,
            source="Andre/naboer",
            concern="Har sovet på bænken i Åparken de sidste nætter. Virker forvirret og "
            "taler med sig selv. Naboen er bekymret, nu hvor det bliver koldt.",
            person={
                "whereabouts": "Åparken ved legepladsen, mest om morgenen.",
                "gender": Gender.MALE,
                "age_group": AgeGroup.AGE_40_49,
                "housing": Housing.SLEEPING_ROUGH,
            },
            concern_categories=[ConcernCategory.HOMELESSNESS, ConcernCategory.MENTAL_HEALTH],
            referrer_name="",
            registered_by=skp_nord_1,
        )

    alias = "Kvinden fra opgang 7"
    if new(alias):  # triage, overdue: the 7 days have passed without a first contact
        _register(
            alias,
            team=syd,
            days_ago=9,
            source="Boligselskab",
            concern="Ejendomsfunktionæren fortæller, at lejligheden lugter, at posten hober "
            "sig op, og at hun ikke åbner for nogen. Huslejen er ikke betalt i to måneder.",
            person={
                "whereabouts": "Søndergade 7, 2. th. (lejlighed i boligselskabet)",
                "gender": Gender.FEMALE,
                "birth_year": year - 58,
                "housing": Housing.OWN_HOME,
            },
            concern_categories=[ConcernCategory.HEALTH, ConcernCategory.FINANCES],
            channel=Channel.EMAIL,
            referrer_name="Ejendomsfunktionær, Boligselskabet Bækkebo",
            registered_by=koordinator_syd,
        )

    alias = "Kvinden med den røde cykel"
    if new(alias):  # outreach: accepted, two contact persons, one failed attempt so far
        case = _register(
            alias,
            team=nord,
            days_ago=5,
            source="Herberg",
            concern="Har overnattet på herberget i en uge og vil ikke tale med personalet om "
            "at søge bolig. Drikker meget.",
            person={
                "whereabouts": "Herberget Havnely og pladsen ved stationen.",
                "gender": Gender.FEMALE,
                "age_group": AgeGroup.AGE_30_39,
                "housing": Housing.SHELTER,
                "main_problem": MainProblem.SUBSTANCE_ABUSE,
            },
            channel=Channel.PHONE,
            registered_by=koordinator_nord,
        )
        _accept(case, koordinator_nord, skp_nord_1, skp_nord_2)
        _contact(
            case,
            skp_nord_1,
            achieved=False,
            kind=ContactKind.PUBLIC_SPACE,
            days_ago=2,
            note="Ikke på pladsen ved stationen. Personalet på herberget giver hende en hilsen.",
        )

    alias = "Jens fra kolonihaven"
    if new(alias):  # support: contact made, goals set, consent to the housing team
        case = _in_support(
            alias,
            team=nord,
            days_ago=30,
            source="Pårørende",
            concern="Søsteren fortæller, at han har boet i sit kolonihavehus siden han blev "
            "sat ud i foråret, og at han ikke får sin medicin.",
            person={
                "name": "Jens Ravnsborg",
                "whereabouts": "Kolonihaveforeningen Solsikken, have 41.",
                "gender": Gender.MALE,
                "birth_year": year - 47,
                "housing": Housing.FAMILY_FRIENDS,
                "main_problem": MainProblem.MENTAL_ILLNESS,
                "income_source": IncomeSource.CASH_BENEFIT,
            },
            coordinator=koordinator_nord,
            worker=skp_nord_2,
        )
        services.goal_add(
            case=case,
            area=GoalArea.HOUSING,
            description="Søge en almen bolig gennem boligsocialt team.",
            by=skp_nord_2,
        )
        services.goal_add(
            case=case,
            area=GoalArea.PSYCHIATRY,
            description="Genoptage kontakten til distriktspsykiatrien.",
            by=skp_nord_2,
        )
        services.consent_record(
            case=case,
            receiver=teams["bolig"],
            information="Boligsituation, økonomi og kontaktoplysninger.",
            form=ConsentForm.WRITTEN,
            by=skp_nord_2,
        )

    alias = "Lone ved stationen"
    if new(alias):  # handover: sent to the addiction centre, waiting for it to acknowledge
        case = _in_support(
            alias,
            team=syd,
            days_ago=40,
            source="Kriminalforsorgen",
            concern="Løsladt for tre uger siden uden et sted at bo. Har et stort forbrug af "
            "hash og alkohol og ønsker selv hjælp til at stoppe.",
            person={
                "whereabouts": "Stationspladsen og værestedet Kilden.",
                "gender": Gender.FEMALE,
                "birth_year": year - 29,
                "housing": Housing.PRISON_RELEASE,
                "main_problem": MainProblem.SUBSTANCE_ABUSE,
            },
            coordinator=koordinator_syd,
            worker=skp_syd_1,
            second=skp_syd_2,
        )
        services.goal_add(
            case=case,
            area=GoalArea.ADDICTION,
            description="Starte i behandling på Rusmiddelcenteret.",
            by=skp_syd_1,
        )
        services.consent_record(
            case=case,
            receiver=teams["rusmiddel"],
            information="Forbrug, behandlingsønsker og kontaktoplysninger.",
            form=ConsentForm.WRITTEN,
            by=skp_syd_1,
        )
        _complete(
            case,
            "end_support",
            skp_syd_1,
            services.SupportNext.HAND_OVER,
            lambda c: services.support_end(
                case=c, next_step=services.SupportNext.HAND_OVER, by=skp_syd_1
            ),
        )
        _complete(
            case,
            "hand_over",
            skp_syd_1,
            "sent",
            lambda c: services.case_hand_over(
                case=c,
                receiving_team=teams["rusmiddel"],
                summary="Lone ønsker behandling for hash og alkohol. Hun kommer på Kilden "
                "de fleste formiddage og vil gerne have følgeskab til det første møde.",
                basis=HandoverBasis.CONSENT,
                by=skp_syd_1,
            ),
        )

    alias = "Manden med hunden"
    if new(alias):  # reassessment: the support began 4 months ago and is due for review
        case = _in_support(
            alias,
            team=syd,
            days_ago=130,
            source="Jobcenter",
            concern="Kommer ikke til samtaler på jobcentret og har mistet sin kontanthjælp. "
            "Bor i sin bil med sin hund.",
            person={
                "name": "Bent Kloster",
                "whereabouts": "Parkeringspladsen ved havnen; går tur med hunden på stranden.",
                "gender": Gender.MALE,
                "birth_year": year - 61,
                "housing": Housing.SLEEPING_ROUGH,
                "main_problem": MainProblem.BOTH,
                "income_source": IncomeSource.NONE,
            },
            coordinator=koordinator_syd,
            worker=skp_syd_2,
        )
        services.goal_add(
            case=case,
            area=GoalArea.INCOME,
            description="Genoptage kontanthjælpen: følges til jobcentret.",
            by=skp_syd_2,
        )
        _reassessment_due(case, support_started=timezone.now() - timedelta(days=125))

    alias = "Drengen ved skaterbanen"
    if new(alias):  # closed at triage: under 18, redirected to the family department
        case = _register(
            alias,
            team=syd,
            days_ago=12,
            source="Andre/naboer",
            concern="En dreng på omkring 16 år sover i skuret ved skaterbanen.",
            person={
                "whereabouts": "Skaterbanen ved Sønderbro.",
                "gender": Gender.MALE,
                "birth_year": year - 16,
                "housing": Housing.SLEEPING_ROUGH,
            },
            registered_by=koordinator_syd,
        )
        _complete(
            case,
            "triage",
            koordinator_syd,
            "redirect",
            lambda c: services.referral_redirect(
                case=c,
                reason=RedirectReason.UNDER_AGE,
                note="Underretning sendt til Familieafdelingen samme dag.",
                triaged_by=koordinator_syd,
            ),
        )

    alias = "Manden i skurvognen"
    if new(alias):  # closed in outreach: he declined the support
        case = _register(
            alias,
            team=nord,
            days_ago=20,
            source="Selvhenvendelse",
            concern="Ringede selv og spurgte til hjælp med en bolig, men ville ikke give sit navn.",
            person={
                "whereabouts": "Skurvognen på byggegrunden ved Nørregade.",
                "gender": Gender.MALE,
                "age_group": AgeGroup.AGE_50_59,
                "housing": Housing.SLEEPING_ROUGH,
            },
            registered_by=skp_nord_1,
        )
        _accept(case, koordinator_nord, skp_nord_1)
        _finish_outreach(
            case,
            skp_nord_1,
            services.OutreachResult.DECLINED,
            note="Ønskede ikke støtte, da vi mødte ham. Han har vores nummer.",
        )


# --- Command -------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        f"Create the invented {MUNICIPALITY}: pages, quality standards, teams, partners, "
        "demo users and referral cases. Safe to run again: only what is missing is created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run without DJANGO_DEBUG (tests). Never on a production database.",
        )

    # All or nothing: a case left half-way through the process would be skipped next time.
    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo users share a published password and one is a superuser: "
                "demo_data runs only with DJANGO_DEBUG=1 (or --force, never in production)."
            )
        if options["verbosity"] < 2:
            # Each page save logs Wagtail's audit line and a search-index task at INFO:
            # hundreds of lines that would bury the logins printed at the end.
            for name in ("wagtail", "django_tasks"):
                logging.getLogger(name).setLevel(logging.WARNING)
        admin = create_admin_user()
        home = create_site(user=admin)
        directory = create_directory(home, user=admin)
        standard = create_standards(home, directory, user=admin)
        create_concern_form(home, standard, user=admin)
        users = create_staff(directory)
        create_demo_cases(directory=directory, users=users)
        if options["verbosity"] >= 1:
            self._print_logins(users)

    def _print_logins(self, users):
        self.stdout.write(self.style.SUCCESS(f"Demodata for {MUNICIPALITY} er på plads."))
        self.stdout.write(
            f"Log ind på {LOGIN_URL} med en af brugerne nedenfor og adgangskoden {DEMO_PASSWORD}"
        )
        for username, user in users.items():
            role_labels = ", ".join(str(ROLES[key].label) for key in STAFF[username][3])
            teams = ", ".join(_team_titles(user))
            suffix = f" ({teams})" if teams else ""
            self.stdout.write(f"  {username:<20} {user.get_full_name():<26} {role_labels}{suffix}")


def _team_titles(user):
    member = getattr(user, "staff_member", None)
    if member is None:
        return []
    return list(member.teams.order_by("title").values_list("title", flat=True))
