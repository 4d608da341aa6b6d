"""Generic page-chrome rules: multilingual line patterns plus position and shape signals.

Each rule looks at one paragraph (a line of the extracted text) and says whether it is chrome,
with a machine-readable reason and the rule's name for the audit. The patterns name *kinds* of
chrome (comment prompts, donation appeals, share bars...) in English, French, German and Spanish;
none names an outlet or a particular page.

News must not be lost, so every pattern rule is guarded:
- patterns are anchored at the start of the paragraph (a sentence that *mentions* subscribing is
  news; a paragraph that *starts* "Subscribe now" is an appeal), except a few phrases that only
  ever occur as chrome ("your email address will not be published");
- a paragraph longer than the rule's word limit is never chrome by pattern;
- a paragraph that reports speech (quotation marks, "said", "a déclaré", "sagte", "dijo") is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --------------------------------------------------------------------------- helpers

_BULLET = re.compile(r"^[\s\-–—•*·▪►>»|:;,.]+")
_WORD = re.compile(r"\w+", re.U)
# Quotation marks; an apostrophe inside a word ("l’Afrique", "it's") is not one.
_QUOTES = re.compile(r"[\"“”«»„]|(?<!\w)['‘’]|['‘’](?!\w)")
_REPORTED = re.compile(
    r"\b(said|says|told|tells|according to|stated|added|urged|asked|wrote|announced|warned|explained|"
    r"a déclaré|a dit|affirme|selon|a ajouté|a indiqué|a précisé|a annoncé|a expliqué|a estimé|"
    r"sagte|sagt|erklärte|laut|betonte|teilte mit|kündigte an|"
    r"dijo|afirmó|según|declaró|señaló|indicó|explicó|aseguró|añadió|admitió|advirtió|anunció)\b",
    re.I,
)


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def words(text: str) -> int:
    """Number of word tokens in `text` (CJK text, written without spaces, counts 2 chars a word)."""
    cjk = len(_CJK.findall(text))
    if cjk:
        return len(_WORD.findall(_CJK.sub(" ", text))) + (cjk + 1) // 2
    return len(_WORD.findall(text))


def strip_bullet(line: str) -> str:
    """The line without leading list bullets and separators."""
    return _BULLET.sub("", line).strip()


def reports_speech(line: str) -> bool:
    """True when the line quotes or reports someone: such a line is news even if chrome-like."""
    return bool(_REPORTED.search(line)) or len(_QUOTES.findall(line)) >= 2


def ends_sentence(line: str) -> bool:
    """True when the line ends like a sentence (., !, ?, closing quote after one)."""
    return bool(re.search(r"[.!?…。！？][\"'”’»)\]」』]*\s*$", line))


# --------------------------------------------------------------------------- pattern rules


@dataclass(frozen=True, slots=True)
class Rule:
    """One chrome pattern: `reason` for the audit, `name` of the rule, the compiled pattern."""

    reason: str
    name: str
    pattern: re.Pattern[str]
    max_words: int = 30
    anywhere: bool = False  # match anywhere in the line (only for phrases never used in news)
    guard_speech: bool = True


# The label a dateline starts with ("Published: ", "Last updated on", "Veröffentlicht am"): the
# `updated-at` rule cuts such lines, and cleaning reads the date after it (`clean.document`).
DATE_LABEL = (
    r"(?:updated|published|posted|last (?:updated|modified)|aktualisiert|veröffentlicht|mis à jour|publié le|"
    r"actualizado|publicado)(?: on| at| am| um| le| el)?\s*:?\s*"
)
# Labels of a modification time rather than a publication time.
UPDATE_LABEL = re.compile(r"updated|modified|aktualisiert|mis à jour|actualizado", re.I)


def _r(
    reason: str, name: str, pattern: str, max_words: int = 30, anywhere: bool = False, guard_speech: bool = True
) -> Rule:
    return Rule(reason, name, re.compile(pattern, re.I | re.U), max_words, anywhere, guard_speech)


RULES: tuple[Rule, ...] = (
    # CMS tokens and embed codes: the whole line is a token.
    _r(
        "cms-token",
        "token-line",
        r"^(fbpx|fb-?pixel|advertisement|advertisment|anzeige|publicité|publicidad|werbung|"
        r"ad|ads|sponsored|\{\{[^}]*\}\}|%%[^%]*%%|<!--.*-->|&nbsp;|null|undefined)\W*$",
        3,
        guard_speech=False,
    ),
    _r(
        "cms-token",
        "shortcode-line",
        r"^(\[/?[a-z][\w]*[-_][^\]]*\]|\[/?[a-z]\w*(\s+[\w-]+\s*=\s*[^\]]*)+\]|\[/[a-z]\w*\])+\W*$",
        40,
        guard_speech=False,
    ),
    # Comment prompts.
    _r(
        "comment-prompt",
        "comment-en",
        r"^(leave a (comment|reply)|submit a comment|post a comment|add a comment|write a comment|"
        r"join the (conversation|discussion)|be the first to comment|comments?( \(\d+\))?$|"
        r"\d+ comments?$|cancel reply|(log|sign) in to (comment|reply)|show comments|"
        r"view comments|comments are closed|discuss this article)",
        12,
    ),
    _r(
        "comment-prompt",
        "comment-email-notice",
        r"(your email address will not be published|required fields are marked|"
        r"votre adresse (e-?mail|de messagerie|courriel) ne sera pas publiée|"
        r"les champs obligatoires sont indiqués|"
        r"(deine|ihre) e-?mail-?adresse wird nicht veröffentlicht|"
        r"erforderliche felder sind (mit \* )?markiert|"
        r"tu (dirección de )?correo electrónico no será publicad|"
        r"su (dirección de )?correo electrónico no será publicad|"
        r"los campos obligatorios están marcados)",
        30,
        anywhere=True,
    ),
    _r(
        "comment-prompt",
        "comment-login",
        r"^(you must (be )?(log(ged)?|sign(ed)?) in to (post a )?(comment|reply)|tell us what you think|"
        r"what do you think\?\s*(let us know|tell us|comment)|"
        r"vous devez être connecté pour (publier un )?commentaire|"
        r"sie müssen (sich )?(angemeldet sein|anmelden),? um (einen )?kommentar|"
        r"debes (estar registrado|iniciar sesión) para (publicar un )?comentar)",
        20,
    ),
    _r(
        "comment-prompt",
        "comment-fr",
        r"^(laisser un commentaire|laissez un commentaire|ajouter un commentaire|"
        r"réagir à cet article|réagissez|commentaires?( \(\d+\))?$|\d+ commentaires?$|"
        r"écrire un commentaire|poster un commentaire)",
        12,
    ),
    _r(
        "comment-prompt",
        "comment-de",
        r"^(hinterlasse einen kommentar|kommentar (schreiben|verfassen|abgeben|hinzufügen)|"
        r"kommentare?( \(\d+\))?$|\d+ kommentare?$|diskutieren sie mit|jetzt kommentieren|"
        r"schreibe einen kommentar|antwort hinterlassen)",
        12,
    ),
    _r(
        "comment-prompt",
        "comment-es",
        r"^(deja un comentario|dejar un comentario|deja una respuesta|escribe un comentario|"
        r"publicar comentario|añadir comentario|comentarios?( \(\d+\))?$|\d+ comentarios?$|"
        r"sé el primero en comentar)",
        12,
    ),
    # Donation appeals.
    _r(
        "donation-appeal",
        "donation",
        r"^(please )?(use the button below to |click (here|below) to )?"
        r"(donate|contribute to|make a (donation|contribution)|support (our|us|independent|"
        r"quality|non-?profit)|become a (member|supporter|patron|sustaining)|chip in|"
        r"help (us|fund|support)|we rely on|your (support|donation|contribution) (helps|makes|keeps)|"
        r"if you (value|like|enjoy|appreciate) (our|this|what)|"
        r"faire un don|faites un don|soutenez|soutenir (notre|la|le|nos)|"
        r"jetzt spenden|spenden sie|unterstützen sie|unterstütze (uns|unseren)|"
        r"unterstütze (den |die |das )?\S+(\W*$| (bereits|schon|jetzt|ab|mit)\b)|"
        r"haz una donación|haga una donación|dona ahora|apoya (nuestro|el|a)|apoye (nuestro|el)|"
        r"colabora con)(?!\w)",  # whole words: "Donated organs...", "Soutenir les..." are news
        60,
    ),
    _r(
        "newsletter",
        "newsletter-anywhere",
        r"\bsign up (for|to) .{0,60}\bnewsletters?\b|\bdelivered (straight |directly )?(to|through|into) "
        r"your (inbox|letterbox|door|mailbox)\b|"
        r"\b(suscribirse|suscríbete|inscrivez-vous|abonnez-vous|abonnieren sie|abonniere)\b.{0,60}"
        r"\b(newsletter|boletín|lettre d'information)\b|"
        r"\bby email\b.{0,60}\b(free )?sign.?up\W*$",
        45,
        anywhere=True,
    ),
    _r(
        "newsletter",
        "newsletter",
        r"^(sign up for (our|the) .{0,40}newsletter|sign up to (our|the) .{0,40}newsletter|"
        r"get (our|the) .{0,40}newsletter|subscribe to (our|the) .{0,40}newsletter|"
        r"newsletter( sign.?up)?\W*$|enter your email|"
        r"inscrivez-vous à (notre|la) .{0,30}newsletter|recevez (notre|la) newsletter|"
        r"melden sie sich .{0,40}newsletter|newsletter abonnieren|mit unserem newsletter|"
        r"suscríbete a (nuestro|nuestra) (boletín|newsletter)|recibe (nuestro|nuestra) (boletín|newsletter))",
        40,
    ),
    # Subscription and paywall notices.
    _r(
        "subscription",
        "subscription-anywhere",
        r"(already an? (subscriber|member|abonné)|you('ve| have) reached your (free )?(article )?limit|"
        r"pour accéder en illimité|cancela cuando quieras|first-time subscribers|"
        r"(to|please) (view|read|continue reading) (the full|this|the rest).{0,40}\bsubscribe)",
        40,
        anywhere=True,
    ),
    _r(
        "subscription",
        "subscription",
        r"^(subscribe( now| today| here| to| for|$)|already a (subscriber|member)|"
        r"to continue reading|this (article|content|story) is (only )?(for|available to|reserved for) "
        r"(subscribers|members)|get unlimited (digital )?access|start your (free )?trial|"
        r"(sign|log) in to (continue|read)|unlock (this|full|unlimited)|"
        r"abonnez-vous|déjà abonné|cet article est réservé aux abonnés|"
        r"pour lire la suite|"
        r"jetzt abonnieren|abonnieren sie|bereits abonnent|"
        r"dieser (artikel|inhalt) ist (nur )?für abonnenten|weiterlesen mit|"
        r"suscríbete|suscríbase|ya (eres|es) suscriptor|"
        r"este (contenido|artículo) es (exclusivo )?para suscriptores)",
        40,
    ),
    _r(
        "cookie-notice",
        "consent",
        r"^(by (registering|signing up|subscribing),? you (agree|accept)|mit (der|ihrer) (registrierung|anmeldung) "
        r"(akzeptieren|stimmen) sie|en vous inscrivant,? vous acceptez|al (registrarte|suscribirte),? aceptas|"
        r"click (on )?the button (below )?to load (the )?content|klicken sie auf den (unteren )?button,? um den "
        r"inhalt|cliquez sur le bouton .{0,20}pour (charger|afficher) le contenu|"
        r"haz clic en el botón .{0,20}para cargar el contenido)",
        40,
    ),
    _r(
        "cookie-notice",
        "cookies",
        r"^(we use cookies|this (site|website) uses cookies|by (using|continuing to use) this (site|website)|"
        r"accept (all )?cookies|cookie (policy|settings|preferences)|"
        r"nous utilisons des cookies|ce site utilise des cookies|accepter (les|tous les) cookies|"
        r"wir verwenden cookies|diese (website|seite) verwendet cookies|cookies akzeptieren|"
        r"utilizamos cookies|este sitio( web)? utiliza cookies|aceptar (las )?cookies)",
        80,
    ),
    # App prompts and expanders.
    _r(
        "app-prompt",
        "app-download",
        r"\bdownload\b.{0,50}\bapps?\b.{0,30}\b(ios|android|iphone|app store|google play)\b",
        30,
        anywhere=True,
    ),
    _r(
        "ad-disclosure",
        "disclosure-anywhere",
        r"(if you (buy|purchase) (something|a product|anything) (through|via|from) (this|our|the|these) "
        r"(post|links?|article|site)|we may (earn|receive) (a )?(small )?(commission|compensation|fee)|"
        r"(earns?|receive) (an? )?(affiliate )?commission (from|on) (qualifying )?purchases)",
        60,
        anywhere=True,
    ),
    _r(
        "ad-disclosure",
        "disclosure",
        r"^(this (post|article|page|story) (contains|may contain|includes) (references|affiliate|links|"
        r"sponsored)|we may (earn|receive) (a )?(commission|compensation)|"
        r"dieser (artikel|beitrag) enthält (affiliate|werbe)|cet article contient des liens|"
        r"este (artículo|contenido) contiene enlaces)",
        40,
    ),
    _r(
        "dateline",
        "updated-at",
        "^" + DATE_LABEL + r"[\w ,.:/-]{0,40}$",
        10,
        guard_speech=False,
    ),
    _r(
        "dateline",
        "date-only",
        r"^(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2})([ ,T]+\d{1,2}[:.]\d{2}(:\d{2})?"
        r"( ?(uhr|h|am|pm))?)?\W*$",
        8,
        guard_speech=False,
    ),
    _r(
        "cms-token",
        "loading",
        r"^(loading|wird geladen|chargement|cargando)( \.\.\.|…|\.\.\.)?\W*$",
        4,
        guard_speech=False,
    ),
    _r(
        "app-prompt",
        "app",
        r"^(continue reading (on|in) (the|our) app|read (it |more )?(on|in) the app|open in (the )?app|"
        r"download (the|our) app|get the app|click here to (get|download) .{0,30}\bapp\b|"
        r"expand article|show (full|more) article|"
        r"continuer la lecture dans l'application|lire dans l'application|télécharge[rz] (notre|l')application|"
        r"in der app (weiter)?lesen|laden sie (unsere|die) app|artikel aufklappen|ganzen artikel (lesen|anzeigen)|"
        r"seguir leyendo en la app|leer en la app|descarga (nuestra|la) app|ampliar artículo|ver artículo completo)",
        12,
    ),
    # Follow-us prompts: a social account or channel, not news.
    _r(
        "share-bar",
        "follow-us",
        r"^(follow us (on|at)|find us on|like us on facebook|subscribe to our (youtube )?channel|"
        r"suivez-nous (sur|on)|retrouvez-nous sur|abonnez-vous à notre chaîne|"
        r"folgen sie uns (auf|bei)|folge uns (auf|bei)|abonniere unseren kanal|"
        r"síguenos en|sigue(nos)? en (twitter|facebook|instagram|x)|suscríbete a nuestro canal|"
        r"¡?mira lo que tiene nuestro canal)",
        25,
    ),
    # Share bars.
    _r(
        "share-bar",
        "share",
        r"^((share|partager|teilen|compartir)( (this|on|via|sur|en|auf|the|mit|cet|cette|ce|diesen|dieses|este|"
        r"esta|la|le|el))*( (article|story|post|artikel|beitrag|artículo|noticia|facebook|twitter|x|whatsapp|"
        r"email|linkedin))*\W*$|((diesen |dieses |den )?(artikel|beitrag) teilen\W*$)|"
        r"((facebook|twitter|x|whatsapp|email|e-mail|linkedin|pinterest|reddit|telegram|print|copy link|"
        r"messenger|flipboard)\W*){2,}$)",
        14,
        guard_speech=False,
    ),
    # Navigation and site chrome.
    _r(
        "navigation",
        "nav",
        r"^(skip to (main )?content|toggle navigation|main menu|menu|search|home|back to top|"
        r"aller au contenu|accueil|zum inhalt springen|startseite|ir al contenido|inicio|"
        r"previous (article|post)|next (article|post)|article précédent|article suivant|"
        r"vorheriger artikel|nächster artikel|artículo anterior|artículo siguiente)\W*$",
        6,
        guard_speech=False,
    ),
    _r(
        "copyright",
        "copyright",
        r"^(©|\(c\)|copyright\b|all rights reserved|tous droits réservés|alle rechte vorbehalten|"
        r"todos los derechos reservados|this material may not be published|materiał chroniony prawem)",
        40,
    ),
    # "Read more:" lines and related-link headers (the header alone or with one headline).
    _r(
        "related-links",
        "related-header",
        r"^(read more|read also|also read|check also|see also|related( articles| stories| coverage| news)?|"
        r"more from|more on this|recommended( for you)?|you (may|might) also like|most (read|popular)|"
        r"trending( now)?|don't miss|must read|"
        r"lire aussi|à lire aussi|a lire aussi|voir aussi|sur le même sujet|articles liés|à lire également|"
        r"lesen sie auch|mehr zum thema|auch interessant|das könnte sie (auch )?interessieren|"
        r"weitere artikel|siehe auch|"
        r"lee también|leer más|lea también|te puede interesar|noticias relacionadas|ver también|"
        r"más información|relacionad[oa]s|contenido relacionado|vea también|mira también|"
        r"auch lesen|meistgelesen|meist-?diskutiert|meist-?gelesen|weitere artikel zum thema|"
        r"(meist)?kommentierte artikel|most commented|les plus commentés|más comentad[oa]s)"
        r"( (on|at|sur|auf|bei|en) [\w.-]+)?\s*([:;.\-–—|]|$)",  # "Lire aussi sur example.fr"
        25,
        guard_speech=False,
    ),
    # A longer related-links header that ends with a colon: "Lesen Sie auch die folgenden Beiträge:",
    # "Das Thema könnte dich auch interessieren:", "Read more about the election:".
    _r(
        "related-links",
        "related-header-colon",
        r"^(read more|see also|more (on|about)|related|lire aussi|voir aussi|lesen sie auch|weitere artikel|"
        r"das thema könnte|das könnte|lee también|lea también|ver también|te puede)\b[^:.!?]{0,60}:\s*$",
        12,
        guard_speech=False,
    ),
    # Photo credits that are the whole line.
    _r(
        "caption",
        "credit-line",
        r"^[(\[]?\s*(photo|image|picture|photograph|foto|bild|imagen|fotografía|crédit|credit|"
        r"courtesy|source|bildquelle|légende|image caption|image source|beitragsbild|titelbild|symbolbild|"
        r"bildnachweis|fotonachweis|image illustrative|photo d'illustration|image d'illustration|"
        r"foto ilustrativa|imagen ilustrativa)s?( by| de| von| credit)?\s*[:©]|^fot\.\s",
        25,
        guard_speech=False,
    ),
)

_SPEECH_FREE = {"cms-token", "share-bar", "navigation"}

# A trailing "| Image by X/AFP via Getty Images", "(Photo: X/Reuters)" or "Foto: dpa" credit.
CREDIT_SUFFIX = re.compile(
    r"\s*(\||\(|\[|–|—)\s*((photo|image|picture|photograph|foto|bild|imagen|fotografía|crédit|credit|"
    r"courtesy)s?\b[^|()\[\]]{0,120}|[^|()\[\]]{0,80}\b(via getty images|getty images|shutterstock|"
    r"afp|reuters|associated press|ap photo|epa|dpa|efe))\s*[)\]]?\s*$",
    re.I,
)

# Agency credit tokens that mark a caption line ("Name/AFP", "via Getty Images").
_CREDIT_MARK = re.compile(r"(/\s?(afp|reuters|ap|epa|dpa|efe|getty)\b|via getty images|\bgetty images\b)", re.I)


def match_rule(line: str) -> Rule | None:
    """The first pattern rule that marks `line` as chrome, or None (guards applied)."""
    body = strip_bullet(line)
    if not body:
        return None
    n = words(body)
    speech = None
    for rule in RULES:
        if n > rule.max_words:
            continue
        m = rule.pattern.search(body) if rule.anywhere else rule.pattern.match(body)
        if m is None:
            continue
        if rule.guard_speech:
            if speech is None:
                speech = reports_speech(body)
            if speech:
                continue
        return rule
    return None


def split_credit(line: str) -> tuple[str, str] | None:
    """(news part, credit part) when the line ends with a photo credit; None otherwise.

    The news part is kept only when it is itself a sentence; a caption-like sentence *inside*
    a paragraph is news and is never touched because the credit must close the line.
    """
    m = CREDIT_SUFFIX.search(line)
    if m is None or m.start() == 0:
        return None
    credit = line[m.start() :].strip()
    if not (_CREDIT_MARK.search(credit) or re.match(r"^\W*(photo|image|foto|bild|imagen|crédit|credit)", credit, re.I)):
        return None
    return line[: m.start()].rstrip(), credit


def is_credit_line(line: str) -> bool:
    """A short line that is only an agency credit ("Name/AFP via Getty Images")."""
    return words(line) <= 12 and bool(_CREDIT_MARK.search(line)) and not ends_sentence(line.rstrip(")"))


# --------------------------------------------------------------------------- shape signals

_MENU_SEP = re.compile(r"\s[|•·»>/]\s")


def menu_segments(line: str) -> list[str] | None:
    """Segments of a menu/tagline line ("News | Sport | Business"), or None when not one."""
    parts = [p.strip() for p in _MENU_SEP.split(line)]
    if len(parts) < 3:
        return None
    short = sum(1 for p in parts if 0 < words(p) <= 4)
    return parts if short >= len(parts) - 1 else None


def headline_like(line: str, max_words: int = 25) -> bool:
    """Short, no sentence end: the shape of a headline, a menu item or a related link."""
    n = words(line)
    return 0 < n <= max_words and not ends_sentence(line)


# Outlet names stated in chrome: "contribute to X, Inc.", "X propose une couverture",
# "support X's journalism", "© 2024 X". The name must be capitalised words.
_NAME = r"(?P<o>[A-Z][\w&'.-]*(?:\s+(?:[A-Z][\w&'.-]*|of|the|de|du|des|la|le|el|der|die|für)){0,5})"
OUTLET_PATTERNS = (
    re.compile(
        r"\b(?:contribute to|donate to|support|subscribe to|join)\s+(?:the\s+)?"
        + _NAME
        + r"(?:,?\s+(?:Inc|Ltd|LLC|Limited|GmbH|S\.?A)\b\.?)?(?=\s+(?:using|by|via|today|now|and|"
        r"with|for)\b|[.,!]|\s*$)"
    ),
    re.compile(
        r"^" + _NAME + r"\s+(?:propose|offre|offers|provides|brings you|bietet|ofrece|"
        r"is an independent|est un média|ist ein|es un medio)\b"
    ),
    re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?" + _NAME, re.I),
)

_NOT_NAMES = frozenset(
    {
        "Our",
        "Us",
        "We",
        "The",
        "This",
        "Please",
        "Your",
        "All",
        "Independent",
        "Quality",
        "Journalism",
        "Donate",
        "Today",
        "Now",
        "Unser",
        "Notre",
        "Nuestro",
    }
)


def outlet_from_chrome(text: str) -> str | None:
    """An outlet name that a chrome line states, or None."""
    for pat in OUTLET_PATTERNS:
        m = pat.search(text)
        if m:
            name = m.group("o").strip(" .,'")
            name = re.sub(r"'s$", "", name)
            if name and name.split()[0] not in _NOT_NAMES and words(name) <= 6:
                return name
    return None
