"""The company's playbook: per risk category, the threshold a carrier's clause must meet, why it matters, the
wording to propose instead (English and Russian), and whether the company never signs without it fixed."""
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation

from ..errors import InvalidInput

PRICE_CHANGE = "price_change"
DEEMED_ACCEPTANCE = "deemed_acceptance"
DAILY_PENALTY = "daily_penalty"
UNCAPPED_LIABILITY = "uncapped_liability"
AUTO_RENEWAL = "auto_renewal"
CATEGORIES = (PRICE_CHANGE, DEEMED_ACCEPTANCE, DAILY_PENALTY, UNCAPPED_LIABILITY, AUTO_RENEWAL)
LANGUAGES = ("en", "ru")
# The texts every rule carries; the rest of a rule's fields are its thresholds.
_TEXTS = ("explanation", "suggested_wording")


@dataclass(frozen=True, kw_only=True)
class Rule:
    explanation: dict[str, str]
    suggested_wording: dict[str, str]
    must_have: bool = True

    def thresholds(self) -> dict:
        return {item.name: getattr(self, item.name) for item in fields(self)
                if item.name not in _TEXTS and item.name != "must_have"}


@dataclass(frozen=True, kw_only=True)
class PriceChangeRule(Rule):
    min_notice_days: int = 30


@dataclass(frozen=True, kw_only=True)
class DeemedAcceptanceRule(Rule):
    min_dispute_days: int = 10


@dataclass(frozen=True, kw_only=True)
class DailyPenaltyRule(Rule):
    max_percent_per_day: Decimal = Decimal("0.1")
    requires_cap: bool = True


@dataclass(frozen=True, kw_only=True)
class UncappedLiabilityRule(Rule):
    pass


@dataclass(frozen=True, kw_only=True)
class AutoRenewalRule(Rule):
    max_notice_days: int = 60
    max_renewal_months: int = 12
    must_have: bool = False


_RULE_CLASSES = {PRICE_CHANGE: PriceChangeRule, DEEMED_ACCEPTANCE: DeemedAcceptanceRule,
                 DAILY_PENALTY: DailyPenaltyRule, UNCAPPED_LIABILITY: UncappedLiabilityRule,
                 AUTO_RENEWAL: AutoRenewalRule}


@dataclass(frozen=True)
class Playbook:
    price_change: PriceChangeRule
    deemed_acceptance: DeemedAcceptanceRule
    daily_penalty: DailyPenaltyRule
    uncapped_liability: UncappedLiabilityRule
    auto_renewal: AutoRenewalRule

    def rule(self, category: str) -> Rule:
        if category not in CATEGORIES:
            raise KeyError(category)
        return getattr(self, category)

    @staticmethod
    def categories() -> tuple[str, ...]:
        return CATEGORIES

    def must_have(self, category: str) -> bool:
        """Whether the company never signs with this category's risk left in; False for an unknown category."""
        return category in CATEGORIES and self.rule(category).must_have

    def explanation(self, category: str, language: str) -> str:
        return self.rule(category).explanation[language]

    def suggested_wording(self, category: str, language: str) -> str:
        return self.rule(category).suggested_wording[language]

    def to_data(self) -> dict:
        """JSON-able: per category its thresholds (a percentage as a string), texts and must_have."""
        data = {}
        for category in CATEGORIES:
            rule = self.rule(category)
            values = {name: str(value) if isinstance(value, Decimal) else value
                      for name, value in rule.thresholds().items()}
            values.update(must_have=rule.must_have, explanation=dict(rule.explanation),
                          suggested_wording=dict(rule.suggested_wording))
            data[category] = values
        return data

    @classmethod
    def from_data(cls, data: dict) -> "Playbook":
        """The playbook `data` describes; what it leaves out keeps the default. InvalidInput names every bad value
        as category.field."""
        if not isinstance(data, dict):
            raise InvalidInput("the playbook is not a set of categories", {"playbook": "must be an object"})
        problems = {}
        for category in data:
            if category not in CATEGORIES:
                problems[str(category)] = f"must be one of {', '.join(CATEGORIES)}"
        rules = {}
        for category in CATEGORIES:
            values = data.get(category, {})
            if not isinstance(values, dict):
                problems[category] = "must be an object"
                continue
            rules[category] = _rule_from_data(category, values, problems)
        if problems:
            raise InvalidInput("the playbook has bad values", problems)
        return cls(**rules)


def _rule_from_data(category: str, values: dict, problems: dict) -> Rule:
    default = DEFAULT_PLAYBOOK.rule(category)
    known = {item.name: item for item in fields(default)}
    changes = {}
    for name, value in values.items():
        where = f"{category}.{name}"
        if name not in known:
            problems[where] = f"must be one of {', '.join(known)}"
        elif name in _TEXTS:
            texts = _texts_from_data(where, value, problems)
            if texts is not None:
                changes[name] = texts
        else:
            checked = _threshold_from_data(where, value, type(getattr(default, name)), problems)
            if checked is not None:
                changes[name] = checked
    return replace(default, **changes)


def _texts_from_data(where: str, value, problems: dict) -> dict[str, str] | None:
    if not isinstance(value, dict):
        problems[where] = "must give a text for each of en and ru"
        return None
    texts = {}
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            problems[f"{where}.{language}"] = "must not be empty"
        else:
            texts[language] = text.strip()
    for language in value:
        if language not in LANGUAGES:
            problems[f"{where}.{language}"] = f"must be one of {', '.join(LANGUAGES)}"
    return texts if len(texts) == len(LANGUAGES) else None


def _threshold_from_data(where: str, value, kind: type, problems: dict):
    if kind is bool:
        if not isinstance(value, bool):
            problems[where] = "must be true or false"
            return None
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            problems[where] = "must be a whole number"
            return None
        if value < 0:
            problems[where] = "must not be negative"
            return None
        return value
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        problems[where] = "must be a number"
        return None
    if number < 0:
        problems[where] = "must not be negative"
        return None
    return number


DEFAULT_PLAYBOOK = Playbook(
    price_change=PriceChangeRule(
        explanation={
            "en": "The carrier could raise prices before the company has time to react: the budget no longer "
                  "holds, and moving numbers to another carrier takes longer than the notice.",
            "ru": "Оператор может поднять цены раньше, чем компания успеет отреагировать: бюджет перестаёт "
                  "выполняться, а перенос номеров к другому оператору занимает больше времени, чем срок "
                  "уведомления.",
        },
        suggested_wording={
            "en": "The Carrier may change the prices only by written notice to the Customer given at least thirty "
                  "(30) calendar days before the change takes effect; the Customer may terminate the Agreement "
                  "without penalty before that date.",
            "ru": "Оператор вправе изменить цены только при условии письменного уведомления Абонента не менее чем "
                  "за тридцать (30) календарных дней до вступления изменений в силу; до этой даты Абонент вправе "
                  "расторгнуть Договор без уплаты неустоек.",
        }),
    deemed_acceptance=DeemedAcceptanceRule(
        explanation={
            "en": "Wrong charges become binding before accounting can check them against the call records, and "
                  "money paid by mistake is hard to recover.",
            "ru": "Неверные начисления становятся бесспорными раньше, чем бухгалтерия успеет сверить их с "
                  "детализацией звонков, а ошибочно уплаченное трудно вернуть.",
        },
        suggested_wording={
            "en": "The Customer may dispute an invoice or act in writing within ten (10) business days of "
                  "receiving it; the disputed amount is not payable until the dispute is settled, and payment "
                  "does not mean acceptance.",
            "ru": "Абонент вправе оспорить счёт или акт в письменной форме в течение десяти (10) рабочих дней с "
                  "даты его получения; оспариваемая сумма не подлежит оплате до урегулирования разногласий, "
                  "оплата не означает согласия с начислениями.",
        }),
    daily_penalty=DailyPenaltyRule(
        explanation={
            "en": "A daily penalty grows with every day of a dispute or delay; above 0.1% per day or without a "
                  "cap it can exceed the debt itself.",
            "ru": "Ежедневная неустойка растёт с каждым днём спора или просрочки; свыше 0,1% в день или без "
                  "ограничения она может превысить сам долг.",
        },
        suggested_wording={
            "en": "For late payment the Carrier may claim a penalty of 0.1% of the overdue amount for each day of "
                  "delay, in total not more than 10% of the overdue amount.",
            "ru": "За просрочку оплаты Оператор вправе потребовать уплаты пени в размере 0,1% от просроченной "
                  "суммы за каждый день просрочки, но не более 10% от просроченной суммы.",
        }),
    uncapped_liability=UncappedLiabilityRule(
        explanation={
            "en": "Without a cap one incident can cost the company more than the whole contract is worth, lost "
                  "profits included.",
            "ru": "Без ограничения один случай может обойтись компании дороже всего договора, включая упущенную "
                  "выгоду.",
        },
        suggested_wording={
            "en": "Each Party's total liability under the Agreement is limited to the charges paid in the twelve "
                  "(12) months before the claim; neither Party is liable for indirect losses or lost profits.",
            "ru": "Совокупная ответственность каждой из Сторон по Договору ограничена суммой платежей за "
                  "двенадцать (12) месяцев, предшествующих требованию; Стороны не несут ответственности за "
                  "косвенные убытки и упущенную выгоду.",
        }),
    auto_renewal=AutoRenewalRule(
        explanation={
            "en": "A long notice period or long renewals lock the company in with the carrier, and with its "
                  "numbers, for another term.",
            "ru": "Длинный срок уведомления или длинные периоды продления привязывают компанию к оператору и "
                  "его номерам ещё на один срок.",
        },
        suggested_wording={
            "en": "The Agreement renews for successive periods of one (1) year unless either Party gives written "
                  "notice of non-renewal at least thirty (30) days before the end of the current period.",
            "ru": "Договор продлевается на каждый следующий год, если ни одна из Сторон не уведомит другую "
                  "письменно об отказе от продления не менее чем за тридцать (30) дней до окончания текущего "
                  "периода.",
        }),
)
