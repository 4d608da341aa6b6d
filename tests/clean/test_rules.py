"""Chrome families in English, French, German and Spanish (text written here, not the seeds)."""

from __future__ import annotations

import pytest

from storydesk.clean import clean_document
from storydesk.records import Provenance, RawDocument

NEWS = {
    "en": [
        "The city council approved the new budget on Tuesday after a debate that lasted nine hours.",
        "Opposition members said the cuts to public libraries would hurt families in poorer districts.",
        "The mayor defended the plan, arguing that the city had to reduce its debt within five years.",
    ],
    "fr": [
        "Le conseil municipal a adopté mardi le nouveau budget après un débat qui a duré neuf heures.",
        "Les élus de l'opposition estiment que les coupes dans les bibliothèques pénaliseront les familles.",
        "Le maire a défendu son plan en expliquant que la ville devait réduire sa dette en cinq ans.",
    ],
    "de": [
        "Der Stadtrat hat am Dienstag nach einer neunstündigen Debatte den neuen Haushalt beschlossen.",
        "Die Opposition kritisierte, dass die Kürzungen bei den Bibliotheken vor allem Familien treffen.",
        "Der Bürgermeister verteidigte den Plan, weil die Stadt ihre Schulden in fünf Jahren senken müsse.",
    ],
    "es": [
        "El ayuntamiento aprobó el martes el nuevo presupuesto tras un debate que duró nueve horas.",
        "La oposición afirmó que los recortes en las bibliotecas perjudicarán a las familias más pobres.",
        "El alcalde defendió el plan y explicó que la ciudad debe reducir su deuda en cinco años.",
    ],
}

# (language, reason, chrome line(s)) — each is inserted into a news article in that language.
CHROME = [
    ("en", "comment-prompt", ["Join the discussion"]),
    (
        "en",
        "comment-prompt",
        ["Post a comment", "Your email address will not be published. Required fields are marked *"],
    ),
    ("fr", "comment-prompt", ["Laisser un commentaire", "Votre adresse e-mail ne sera pas publiée."]),
    ("de", "comment-prompt", ["Kommentar schreiben", "Ihre E-Mail-Adresse wird nicht veröffentlicht."]),
    ("es", "comment-prompt", ["Deja un comentario", "Tu dirección de correo electrónico no será publicada."]),
    ("en", "donation-appeal", ["Support independent journalism: donate today to keep our reporters in the field."]),
    ("fr", "donation-appeal", ["Soutenez notre rédaction indépendante en faisant un don mensuel."]),
    ("de", "donation-appeal", ["Unterstützen Sie unabhängigen Journalismus mit einer Spende."]),
    ("es", "donation-appeal", ["Apoya nuestro periodismo independiente con una donación."]),
    ("en", "subscription", ["Subscribe now for unlimited access to all our reporting."]),
    ("fr", "subscription", ["Abonnez-vous pour lire la suite de cet article."]),
    ("de", "subscription", ["Jetzt abonnieren und alle Artikel lesen."]),
    ("es", "subscription", ["Suscríbete para seguir leyendo este artículo."]),
    ("en", "newsletter", ["Sign up for our morning newsletter"]),
    ("fr", "newsletter", ["Inscrivez-vous à notre newsletter quotidienne"]),
    ("de", "newsletter", ["Newsletter abonnieren"]),
    ("es", "newsletter", ["Suscríbete a nuestro boletín diario"]),
    ("en", "cookie-notice", ["We use cookies to improve your experience. By continuing you accept them."]),
    ("fr", "cookie-notice", ["Nous utilisons des cookies pour améliorer votre expérience."]),
    ("de", "cookie-notice", ["Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten."]),
    ("es", "cookie-notice", ["Utilizamos cookies para mejorar su experiencia."]),
    ("en", "related-links", ["Related: Council votes to close two branch libraries"]),
    ("en", "related-links", ["See also", "• Budget row deepens", "• Mayor faces recall vote"]),
    ("fr", "related-links", ["À lire aussi : la dette de la ville atteint un record"]),
    ("de", "related-links", ["Lesen Sie auch:", "- Stadtrat streitet über Schulden", "- Bibliotheken vor dem Aus"]),
    ("es", "related-links", ["Te puede interesar: el alcalde anuncia nuevas obras"]),
    ("en", "cms-token", ['[caption id="attachment_991" align="alignleft"]']),
    ("en", "cms-token", ["ADVERTISEMENT"]),
    ("fr", "cms-token", ["Publicité"]),
    ("de", "cms-token", ["Anzeige"]),
    ("es", "cms-token", ["Publicidad"]),
    ("en", "caption", ["Photo: Jane Doe/Reuters"]),
    ("fr", "caption", ["Crédit : Jean Dupont/AFP"]),
    ("de", "caption", ["Foto: dpa"]),
    ("es", "caption", ["Foto: EFE/Juan Pérez"]),
    ("en", "app-prompt", ["Read more in the app"]),
    ("fr", "app-prompt", ["Lire dans l'application"]),
    ("de", "app-prompt", ["In der App weiterlesen"]),
    ("es", "app-prompt", ["Seguir leyendo en la app"]),
    ("en", "share-bar", ["Share this article"]),
    ("en", "share-bar", ["Facebook Twitter WhatsApp Email"]),
    ("fr", "share-bar", ["Partager sur Facebook"]),
    ("de", "share-bar", ["Teilen"]),
    ("es", "share-bar", ["Compartir en Twitter"]),
    ("en", "navigation", ["Skip to content"]),
    ("de", "navigation", ["Zum Inhalt springen"]),
    ("en", "copyright", ["© 2024 Example Media Group. All rights reserved."]),
    ("fr", "copyright", ["Tous droits réservés"]),
    ("de", "copyright", ["© 2024 Beispiel Verlag GmbH. Alle Rechte vorbehalten."]),
    ("es", "copyright", ["Todos los derechos reservados."]),
    ("fr", "navigation", ["Aller au contenu"]),
    ("es", "navigation", ["Ir al contenido"]),
    ("fr", "navigation", ["Article précédent"]),
    ("es", "navigation", ["Artículo siguiente"]),
    ("en", "ad-disclosure", ["We may earn a commission if you buy something through links in this article."]),
    ("fr", "ad-disclosure", ["Cet article contient des liens d'affiliation."]),
    ("de", "ad-disclosure", ["Dieser Artikel enthält Affiliate-Links."]),
    ("es", "ad-disclosure", ["Este artículo contiene enlaces de afiliados."]),
    ("en", "dateline", ["Updated: 12 March 2024, 10:15"]),
    ("fr", "dateline", ["Mis à jour le 12/03/2024 à 10:15"]),
    ("de", "dateline", ["Aktualisiert am 12.03.2024, 10:15 Uhr"]),
    ("es", "dateline", ["Actualizado el 12/03/2024 10:15"]),
    ("en", "app-prompt", ["Continue reading on the app"]),
    ("en", "app-prompt", ["Expand article"]),
    ("fr", "app-prompt", ["Télécharger l'application"]),
    ("de", "app-prompt", ["Artikel aufklappen"]),
    ("es", "app-prompt", ["Ver artículo completo"]),
    (
        "fr",
        "related-links",
        ["Sur le même sujet :", "- La dette de la ville atteint un record", "- Le maire sous pression"],
    ),
    (
        "es",
        "related-links",
        ["Noticias relacionadas:", "• El alcalde anuncia nuevas obras", "• La oposición pide su dimisión"],
    ),
    ("en", "related-links", ["Check Also;", "Mayor faces recall vote over library closures"]),
    ("fr", "cookie-notice", ["Ce site utilise des cookies pour mesurer l'audience."]),
    ("fr", "comment-prompt", ["Vous devez être connecté pour publier un commentaire."]),
    ("de", "comment-prompt", ["Sie müssen angemeldet sein, um einen Kommentar zu schreiben."]),
    ("es", "comment-prompt", ["Debes iniciar sesión para publicar un comentario."]),
    ("en", "cms-token", ["fbpx"]),
    ("en", "cms-token", ["[time-brightcove not-tgx=”true”]"]),
    ("fr", "caption", ["Photo : Jean Dupont / AFP"]),
    ("de", "caption", ["Bild: Max Muster/dpa"]),
    ("fr", "share-bar", ["Partager cet article"]),
    ("de", "share-bar", ["Diesen Artikel teilen"]),
    ("es", "share-bar", ["Compartir esta noticia"]),
    ("de", "donation-appeal", ["Jetzt spenden"]),
    ("fr", "donation-appeal", ["Faites un don pour soutenir le journalisme indépendant."]),
    ("de", "donation-appeal", ["Unterstütze den Landboten schon mit 3 Euro im Monat!"]),
    ("en", "share-bar", ["Follow us on Instagram and Facebook for the latest updates."]),
    ("fr", "share-bar", ["Suivez-nous sur Twitter et Facebook"]),
    ("de", "share-bar", ["Folgen Sie uns auf Instagram"]),
    ("es", "share-bar", ["Síguenos en Facebook y Twitter"]),
    ("en", "cookie-notice", ["By signing up, you agree to our privacy policy and terms of use."]),
    ("en", "cookie-notice", ["Click the button below to load the content from the map provider."]),
    ("fr", "cookie-notice", ["En vous inscrivant, vous acceptez notre politique de confidentialité."]),
    ("de", "cookie-notice", ["Klicken Sie auf den Button, um den Inhalt von der Karte zu laden."]),
    ("es", "cookie-notice", ["Al registrarte, aceptas nuestra política de privacidad."]),
    ("en", "newsletter", ["Get our morning briefing by email and never miss a story. Free sign up"]),
    ("fr", "newsletter", ["Écrivez-nous ou abonnez-vous ici à notre lettre d'information."]),
    ("es", "newsletter", ["Escríbenos o suscríbete aquí a nuestro boletín semanal."]),
    ("de", "caption", ["Symbolbild: Rathaus am Marktplatz"]),
    ("fr", "caption", ["Photo d'illustration : le marché couvert de la ville"]),
    ("es", "caption", ["Imagen ilustrativa: el mercado central de la ciudad"]),
    ("de", "related-links", ["| Weitere Artikel zum Thema |"]),
    ("en", "ad-disclosure", ["This page includes partner links. We may receive compensation when you click."]),
]

# A site's tagline and menu in the lead: cut, and the outlet it names becomes `outlet`.
TAGLINES = {
    "en": ("The Harbour Post – News from the coast | World | Politics | Sport", "The Harbour Post"),
    "fr": ("Le Courrier du Sud – L'info de votre région | Monde | Politique | Sport", "Le Courrier du Sud"),
    "de": ("Der Landbote – Nachrichten aus der Region | Welt | Politik | Sport", "Der Landbote"),
    "es": ("El Diario del Valle – Noticias de tu región | Mundo | Política | Deportes", "El Diario del Valle"),
}
BYLINES = {"en": "By Maria Lopez", "fr": "Par Marie Dupont", "de": "Von Hans Müller", "es": "Por Ana García"}
HEADLINES = {
    "en": "City approves budget after nine-hour debate",
    "fr": "La ville adopte son budget après neuf heures de débat",
    "de": "Stadtrat beschließt Haushalt nach neunstündiger Debatte",
    "es": "El ayuntamiento aprueba el presupuesto tras nueve horas de debate",
}
# (article language, paragraph in another language)
FOREIGN = [
    (
        "fr",
        "The regional edition of this newspaper is also available in English for readers abroad, with "
        "a selection of the week's most important local stories.",
    ),
    (
        "de",
        "Esta edición regional del periódico también está disponible en español para los lectores en el "
        "extranjero, con una selección de las noticias locales de la semana.",
    ),
    (
        "es",
        "Diese Regionalausgabe der Zeitung gibt es auch auf Deutsch für Leserinnen und Leser im Ausland, "
        "mit einer Auswahl der wichtigsten Nachrichten der Woche.",
    ),
]


def _doc(lines: list[str], title: str | None = "A headline", language: str | None = None) -> RawDocument:
    return RawDocument(Provenance("article.txt", "text"), "\n".join(lines), title=title, language=language)


@pytest.mark.parametrize(("lang", "reason", "chrome"), CHROME, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CHROME)])
def test_chrome_family_removed(lang: str, reason: str, chrome: list[str]) -> None:
    news = NEWS[lang]
    doc = _doc([news[0], news[1], *chrome, news[2]])
    art = clean_document(doc)
    for line in chrome:
        assert line not in art.text
    assert any(r.reason == reason for r in art.removed), art.removed
    for sentence in news:
        assert sentence in art.text


def test_caption_credit_suffix_keeps_the_sentence() -> None:
    caption = "Firefighters battle the blaze in the old town on Sunday."
    doc = _doc([NEWS["en"][0], f"{caption} | Photo by John Smith/AFP via Getty Images", NEWS["en"][1]])
    art = clean_document(doc)
    assert caption in art.text
    assert "Getty" not in art.text
    assert [r.reason for r in art.removed] == ["caption"]


def test_shortcode_inline_removed() -> None:
    doc = _doc([NEWS["en"][0] + ' [embed-video id="42"]', NEWS["en"][1]])
    art = clean_document(doc)
    assert "[embed-video" not in art.text and NEWS["en"][0] in art.text
    assert art.removed[0].reason == "cms-token"


MUST_KEEP = [
    "Officials urged residents to subscribe to the emergency alert service before the storm arrives.",
    "“Subscribe to nothing and trust no one,” the candidate told supporters at the rally on Friday.",
    "Read more than 300 pages of the report and you will find that the ministry ignored the warnings.",
    "Support for the measure fell to 41 percent, according to a poll published on Monday.",
    "Share prices fell sharply in Tokyo after the central bank left interest rates unchanged.",
    "Donate blood if you can, the Red Cross said, as hospitals reported critical shortages.",
    "Le ministre a déclaré : « Abonnez-vous à la transparence », lors d'un discours à Lyon.",
    "Unterstützen Sie die Reform, sagte die Ministerin am Mittwoch vor dem Parlament in Berlin.",
    "Según la policía, el sospechoso dejó un comentario amenazante en la web del periódico.",
    "The photo, taken by a Reuters photographer, shows the minister leaving the building in Kabul.",
    "Comments made by the senator on Tuesday drew criticism from both parties in Congress.",
    "Home prices rose 4 percent in March, the fastest pace in two years, the agency reported.",
]


# (language, news sentence that starts like chrome) in each language
MUST_KEEP_BY_LANGUAGE = [
    ("en", "Donated organs saved three lives at the city hospital last week, doctors said."),
    ("en", "Cookies and cakes sold at the fair raised more than 2,000 dollars for the local hospital."),
    ("en", "Newsletter publishers have seen subscriptions rise sharply since the start of the year."),
    ("fr", "Publicité mensongère : l'entreprise a été condamnée mardi à une amende de deux millions d'euros."),
    ("fr", "Soutenir les agriculteurs reste la priorité du gouvernement, a indiqué le ministre de l'Agriculture."),
    ("fr", "Les commentaires du président sur la réforme des retraites ont provoqué la colère des syndicats."),
    ("fr", "Accueil glacial pour le Premier ministre, hué par des manifestants à son arrivée à Marseille."),
    ("de", "Teilen wollten die Parteien die Macht nicht, berichtete die Zeitung am Montag."),
    ("de", "Kommentare in sozialen Netzwerken hatten die Debatte über das Gesetz zusätzlich angeheizt."),
    ("de", "Spenden aus dem Ausland machten im vergangenen Jahr fast ein Drittel der Einnahmen der Partei aus."),
    ("de", "Foto- und Videoaufnahmen zeigen, wie die Polizei die Demonstranten vom Platz drängt."),
    ("es", "Compartir el poder no está en los planes del partido, admitió su portavoz en una entrevista."),
    ("es", "Los comentarios del ministro sobre la inflación provocaron una caída de la bolsa de Madrid."),
    ("es", "Inicio de curso marcado por la huelga de profesores en varias comunidades autónomas."),
    ("es", "Publicidad institucional: el gobierno gastó 40 millones de euros en campañas durante 2023."),
]


@pytest.mark.parametrize(("lang", "sentence"), MUST_KEEP_BY_LANGUAGE)
def test_news_that_starts_like_chrome_is_kept_in_each_language(lang: str, sentence: str) -> None:
    art = clean_document(_doc([NEWS[lang][0], sentence, NEWS[lang][1]]))
    assert sentence in art.text, art.removed
    assert art.removed == ()


@pytest.mark.parametrize("sentence", MUST_KEEP)
def test_news_that_looks_like_chrome_is_kept(sentence: str) -> None:
    lang = (
        "fr"
        if "ministre" in sentence
        else "de"
        if "Ministerin" in sentence
        else ("es" if "Según" in sentence else "en")
    )
    doc = _doc([NEWS[lang][0], sentence, NEWS[lang][1]])
    art = clean_document(doc)
    assert sentence in art.text, art.removed
    assert art.removed == ()


def test_foreign_language_paragraph_removed() -> None:
    foreign = (
        "Cette rédaction propose une couverture indépendante de l'actualité régionale. Pour en savoir "
        "plus sur la reprise de ce contenu, veuillez remplir ce formulaire."
    )
    doc = _doc([*NEWS["en"], foreign], language="en")
    art = clean_document(doc)
    assert foreign not in art.text
    assert [r.reason for r in art.removed] == ["foreign-language"]
    assert all(s in art.text for s in NEWS["en"])


def test_foreign_quote_is_kept() -> None:
    quote = "« Nous ne céderons jamais devant la violence », a déclaré le président français lors de sa visite."
    doc = _doc([*NEWS["en"], quote], language="en")
    assert quote in clean_document(doc).text


def test_wrong_declared_language_does_not_drop_the_body() -> None:
    doc = _doc(NEWS["de"], language="en")
    art = clean_document(doc)
    assert art.language == "de"
    assert art.removed == ()


def test_headline_and_byline_lifted_into_metadata() -> None:
    lines = ["City approves budget after nine-hour debate", "By Maria Lopez", *NEWS["en"]]
    art = clean_document(_doc(lines, title=None))
    assert art.title == "City approves budget after nine-hour debate"
    assert art.author == "Maria Lopez"
    assert art.text.splitlines() == NEWS["en"]
    assert {r.reason for r in art.removed} == {"headline", "byline"}


def test_title_not_repeated_in_body() -> None:
    art = clean_document(_doc(["A Headline", *NEWS["es"], "A headline"], title="A headline"))
    assert "headline" not in art.text.casefold()
    assert [r.reason for r in art.removed] == ["headline", "headline"]


@pytest.mark.parametrize(
    ("line", "outlet"),
    [
        ("Please contribute to Harbour Times, Inc. using a credit card.", "Harbour Times"),
        (
            "Valley Courier propose une couverture indépendante de la région et du monde entier, cliquez ici.",
            "Valley Courier",
        ),
        ("Riverside Daily – your voice in the valley | news | sport | weather | jobs", "Riverside Daily"),
    ],
)
def test_outlet_inferred_from_chrome(line: str, outlet: str) -> None:
    pos = 0 if "|" in line else 3
    lines = list(NEWS["en"])
    lines.insert(pos, line)
    art = clean_document(_doc(lines, language="en"))
    assert art.outlet == outlet
    assert line not in art.text


def test_outlet_from_document_wins() -> None:
    doc = RawDocument(
        Provenance("a.txt", "text"),
        "\n".join([*NEWS["en"], "Please contribute to Harbour Times."]),
        outlet="Given Outlet",
        title="t",
    )
    assert clean_document(doc).outlet == "Given Outlet"


def test_audit_records_rule_and_raw_text_kept() -> None:
    doc = _doc([NEWS["en"][0], "Leave a reply", NEWS["en"][1]])
    art = clean_document(doc)
    assert art.raw_text == doc.text
    assert art.removed[0].text == "Leave a reply"
    assert art.removed[0].rule


@pytest.mark.parametrize("lang", sorted(TAGLINES))
def test_site_tagline_cut_and_names_the_outlet(lang: str) -> None:
    line, outlet = TAGLINES[lang]
    art = clean_document(_doc([line, *NEWS[lang]]))
    assert line not in art.text
    assert [r.reason for r in art.removed] == ["site-tagline"]
    assert art.outlet == outlet
    assert art.text.splitlines() == NEWS[lang]


@pytest.mark.parametrize("lang", sorted(BYLINES))
def test_headline_and_byline_lifted_in_each_language(lang: str) -> None:
    headline = HEADLINES[lang]
    art = clean_document(_doc([headline, BYLINES[lang], *NEWS[lang]], title=headline))
    assert art.title == headline
    assert art.author == BYLINES[lang].split(" ", 1)[1]
    assert {r.reason for r in art.removed} == {"headline", "byline"}
    assert art.text.splitlines() == NEWS[lang]


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "detected"])
@pytest.mark.parametrize(("lang", "foreign"), FOREIGN, ids=[f[0] for f in FOREIGN])
def test_foreign_paragraph_removed_in_each_language(lang: str, foreign: str, declared: bool) -> None:
    doc = _doc([NEWS[lang][0], foreign, *NEWS[lang][1:]], language=lang if declared else None)
    art = clean_document(doc)
    assert art.language == lang
    assert foreign not in art.text
    assert [r.reason for r in art.removed] == ["foreign-language"]
    assert art.text.splitlines() == NEWS[lang]


def test_caps_line_goes_only_when_the_page_links_it() -> None:
    teaser = "MAYOR FACES RECALL VOTE OVER LIBRARY CLOSURES"
    subhead = "WHAT THE NEW BUDGET MEANS FOR FAMILIES"
    text = "\n".join([NEWS["en"][0], teaser, NEWS["en"][1], subhead, NEWS["en"][2]])
    html = (
        f"<html><body><article><p>{NEWS['en'][0]}</p><p><a href='/recall'>{teaser}</a></p>"
        f"<p>{NEWS['en'][1]}</p><h2>{subhead}</h2><p>{NEWS['en'][2]}</p></article></body></html>"
    )
    doc = RawDocument(Provenance("page.html", "html"), text, html=html, title="A headline", language="en")
    art = clean_document(doc)
    assert teaser not in art.text
    assert subhead in art.text
    assert [(r.reason, r.rule) for r in art.removed] == [("related-links", "caps-headline")]
    # plain text has no links to tell them apart: both read as teasers
    plain = clean_document(_doc(text.splitlines()))
    assert teaser not in plain.text and subhead not in plain.text


@pytest.mark.parametrize(
    ("lines", "published"),
    [
        (["Published: April 10, 2007", *NEWS["en"]], "2007-04-10"),
        (["Nov 28, 2005", *NEWS["en"]], "2005-11-28"),
        # an "updated" time only stands in when no published one is written
        (["Updated 4 / 9 / 2007 6:04 PM", "Posted on 8 April 2007", *NEWS["en"]], "2007-04-08"),
        (["Updated 4 / 9 / 2007 6:04 PM", *NEWS["en"]], "2007-04-09T18:04:00"),
        (["Veröffentlicht am 3. Mai 2021", *NEWS["de"]], "2021-05-03"),
        # no year, no date: nothing is made up from today's date
        (["Updated Tuesday", *NEWS["en"]], None),
        (["May 2010", *NEWS["en"]], None),
        (["World", *NEWS["en"]], None),
    ],
)
def test_cut_dateline_gives_the_publication_time(lines: list[str], published: str | None) -> None:
    art = clean_document(_doc(lines))
    assert art.published == published
    assert lines[0] not in art.text  # still cut as chrome, with its audit entry
    assert any(r.text == lines[0] for r in art.removed)


def test_document_time_wins_over_a_dateline() -> None:
    doc = RawDocument(Provenance("a.txt", "text"), "\n".join(["Published: April 10, 2007", *NEWS["en"]]),
                      title="t", published="2024-01-18T04:30:00Z")
    assert clean_document(doc).published == "2024-01-18T04:30:00Z"


def test_a_report_that_is_only_its_headline_keeps_it_as_text() -> None:
    from storydesk.clean import clean_document
    from storydesk.records import Provenance, RawDocument

    doc = RawDocument(
        text="March 3, 2021\nHarbour crane collapses in overnight storm",
        provenance=Provenance(source="flash.txt", fmt="text"),
    )
    art = clean_document(doc)
    assert art.title == "Harbour crane collapses in overnight storm"
    assert art.text == "Harbour crane collapses in overnight storm"
