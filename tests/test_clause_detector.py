"""The clause risk detector: quantities in words and digits, negations, each category's risky clauses and near
misses in English and Russian, the flags' spans and words, and the playbook (its round trip, its refusals, and
its thresholds changing the verdict)."""
import json
from dataclasses import replace
from decimal import Decimal

import pytest

from models.errors import InvalidInput
from models.terms import CATEGORIES, DEFAULT_PLAYBOOK, Flag, Playbook, analyse_clause, detect_language
from models.terms.language import morphology
from models.terms.quantities import parse_quantities

PRICE, ACCEPTANCE, PENALTY, LIABILITY, RENEWAL = CATEGORIES
# The terms the carrier's record keeps.
RECORDED = {"price_change_notice_days", "invoice_dispute_days", "daily_penalty_percent", "penalty_capped"}


@pytest.mark.parametrize("text,value,unit,words", [
    ("не менее чем за тридцать (30) календарных дней", "30", "day", "тридцать (30) календарных дней"),
    ("уведомив за тридцати (30) дней", "30", "day", "тридцати (30) дней"),
    ("в течение пяти рабочих дней", "5", "business day", "пяти рабочих дней"),
    ("в течение десяти календарных дней", "10", "day", "десяти календарных дней"),
    ("within fifteen (15) business days", "15", "business day", "fifteen (15) business days"),
    ("one half of one percent per day", "0.5", "percent", "one half of one percent"),
    ("пеня 0,5 % в день", "0.5", "percent", "0,5 %"),
    ("в размере половины процента", "0.5", "percent", "половины процента"),
    ("ноль целых пять десятых процента", "0.5", "percent", "ноль целых пять десятых процента"),
    ("одной десятой процента", "0.1", "percent", "одной десятой процента"),
    ("one-tenth of one percent", "0.1", "percent", "one-tenth of one percent"),
    ("two tenths of one percent", "0.2", "percent", "two tenths of one percent"),
    ("zero point one per cent", "0.1", "percent", "zero point one per cent"),
    ("one and a half percent", "1.5", "percent", "one and a half percent"),
    ("полтора процента", "1.5", "percent", "полтора процента"),
    ("в десятидневный срок", "10", "day", "десятидневный"),
    ("в 30-дневный срок", "30", "day", "30-дневный"),
    ("5-ти дней", "5", "day", "5-ти дней"),
    ("двое суток", "2", "day", "двое суток"),
    ("за 3 (три) месяца", "3", "month", "3 (три) месяца"),
    ("в течение месяца", "1", "month", "месяца"),
    ("two weeks' notice", "2", "week", "two weeks'"),
    ("a month's notice", "1", "month", "a month's"),
    ("a thirty-day notice", "30", "day", "thirty-day"),
    ("one hundred and twenty days", "120", "day", "one hundred and twenty days"),
    ("Sixty (60) days", "60", "day", "Sixty (60) days"),
    ("48 hours", "48", "hour", "48 hours"),
    ("сроком на 1 (один) год", "1", "year", "1 (один) год"),
    ("a fine of RUB 5,000", "5000", "money", "RUB 5,000"),
    ("штраф 10 000 рублей", "10000", "money", "10 000 рублей"),
    ("one percent (1%) of the debt", "1", "percent", "one percent (1%)"),
    ("within 5 (five business days)", "5", "business day", "5 (five business days)"),
    ("1/10 of one percent", "0.1", "percent", "1/10 of one percent"),
    ("не менее чем за календарный месяц", "1", "month", "календарный месяц"),
    ("by the 1st of October", "274", "date", "1st of October"),
    ("до 31 декабря", "365", "date", "31 декабря"),
])
def test_quantities_are_read_from_digits_and_words(text, value, unit, words):
    quantity, = parse_quantities(text)
    assert (quantity.value, quantity.unit, text[quantity.start:quantity.end]) == (Decimal(value), unit, words)


def test_periods_convert_to_days_and_months():
    weeks, month, year = parse_quantities("two weeks, one month, a year", "en")
    assert (weeks.days, month.days, year.months) == (14, 30, 12)
    business, = parse_quantities("10 business days", "en")
    assert business.days == 10 and business.business


def test_a_calendar_year_and_a_rate_are_not_periods():
    assert [quantity.unit for quantity in parse_quantities("до 31 декабря 2026 года")] == ["date", "number"]
    assert [quantity.unit for quantity in parse_quantities("0.5% a day")] == ["percent"]


def test_the_russian_analyser_is_created_once():
    assert morphology() is morphology()


@pytest.mark.parametrize("text,language", [
    ("The Carrier may change the prices.", "en"),
    ("Оператор вправе изменить тарифы (Tariff Plan «Business»).", "ru"),
    ("12.3.", "en"),
])
def test_the_language_is_the_alphabet_of_most_letters(text, language):
    assert detect_language(text) == language
    assert analyse_clause(text).language == language


def categories(text: str, playbook: Playbook = DEFAULT_PLAYBOOK) -> set[str]:
    return {flag.category for flag in analyse_clause(text, playbook=playbook).flags}


RISKY = [
    (PRICE, "The Carrier may change the prices at any time without notice."),
    (PRICE, "Rates are subject to change without notice."),
    (PRICE, "The Operator reserves the right to amend the Tariffs unilaterally by publishing the new Tariffs on its "
            "website."),
    (PRICE, "Charges may be varied by the Supplier on giving not less than 14 days' notice in writing."),
    (PRICE, "The Carrier may increase the charges on three weeks' notice."),
    (PRICE, "Price changes shall be communicated to the Customer at least 15 working days in advance."),
    (PRICE, "Any change in the Tariffs shall become effective twenty (20) days after its publication in the Customer "
            "Portal."),
    (PRICE, "Prices are fixed for 12 months; thereafter the Carrier may change them on 10 days' notice."),
    (PRICE, "The Carrier is entitled to index the prices annually in line with CPI without the Customer's consent."),
    (PRICE, "The Carrier may amend the Charges upon giving the Customer twenty-eight days' written notice."),
    (PRICE, "Оператор вправе в одностороннем порядке изменять тарифы, уведомив Абонента не менее чем за 10 (десять) "
            "дней."),
    (PRICE, "Новые тарифы вступают в силу с момента их опубликования на сайте Оператора."),
    (PRICE, "Оператор вправе в любой момент пересмотреть тарифы."),
    (PRICE, "Оператор вправе повысить цены, известив Абонента за три недели."),
    (PRICE, "Изменённые тарифы применяются с даты, указанной в уведомлении Оператора."),
    (PRICE, "Изменение тарифов вступает в силу через 7 (семь) дней после опубликования."),
    (PRICE, "Тарифы могут быть изменены Оператором без согласия Абонента. Информация об изменении тарифов "
            "размещается на сайте Оператора за 10 дней до их введения."),
    (PRICE, "Tariff increases are effective 29 days after notice."),
    (PRICE, "Продолжение пользования Услугами после опубликования новых тарифов означает согласие Абонента с ними."),
    (PRICE, "The applicable tariff plan is the version published at the Operator's website at the time the services "
            "are rendered."),
    (PRICE, "The Carrier may change the prices, subject to four weeks' notice."),
    (PRICE, "In the event the Carrier increases prices, the Customer may terminate the Agreement within 14 days."),
    (PRICE, "The Charges are exclusive of VAT. Supplier shall be entitled to increase the Charges on 1 January each "
            "year by the percentage increase in RPI without notice."),
    (PRICE, "Об изменении тарифов Оператор извещает Абонента не позднее чем за две недели."),
    (PRICE, "Оператор вправе изменить тарифы с первого числа месяца, следующего за месяцем уведомления."),
    (ACCEPTANCE, "If the Customer does not submit written objections within 5 days of receiving the invoice, the "
                 "invoice is deemed accepted."),
    (ACCEPTANCE, "Payment of an invoice constitutes acceptance of the services and charges."),
    (ACCEPTANCE, "Any invoice not objected to within one week shall be final and binding."),
    (ACCEPTANCE, "By making payment, the Customer agrees that the invoiced amounts are correct."),
    (ACCEPTANCE, "The Customer may not withhold or dispute any amount invoiced."),
    (ACCEPTANCE, "Claims concerning invoices shall be submitted within 7 calendar days of the invoice date; claims "
                 "received later shall not be considered."),
    (ACCEPTANCE, "If no written complaint is received within 72 hours, the service shall be deemed accepted."),
    (ACCEPTANCE, "Услуги считаются оказанными надлежащим образом и принятыми Абонентом, если в течение 5 (пяти) "
                 "дней не поступило мотивированных возражений."),
    (ACCEPTANCE, "Оплата счета означает согласие Абонента с объемом и стоимостью услуг."),
    (ACCEPTANCE, "Претензии по счетам принимаются в течение 7 дней с даты выставления счёта."),
    (ACCEPTANCE, "Отсутствие возражений со стороны Абонента в течение 48 часов означает согласие с детализацией."),
    (ACCEPTANCE, "Абонент лишается права оспаривать начисления по истечении 5 дней с даты выставления счёта."),
    (ACCEPTANCE, "В случае неподписания акта в течение 3 дней он считается подписанным."),
    (ACCEPTANCE, "An invoice becomes undisputed if not contested within seven days."),
    (ACCEPTANCE, "Invoices not disputed within 9 business days are deemed accepted."),
    (ACCEPTANCE, "Данные учетного оборудования Оператора являются окончательными и оспариванию не подлежат."),
    (ACCEPTANCE, "Заказчик в течение 5 (пяти) рабочих дней с момента получения Акта обязан подписать его или "
                 "направить Исполнителю мотивированный отказ. В случае если в указанный срок Заказчик не подписал "
                 "Акт и не направил мотивированный отказ, услуги считаются оказанными и принятыми Заказчиком."),
    (PENALTY, "For late payment the Customer shall pay a penalty of 1% of the overdue amount for each day of delay."),
    (PENALTY, "Late payments bear interest of one half of one percent per day."),
    (PENALTY, "For late payment the Carrier may charge 0.1% of the overdue amount per day."),
    (PENALTY, "For every day of delay in payment, a penalty of RUB 1,000 shall be payable."),
    (PENALTY, "The Customer shall pay a penalty of 0.3% per day of delay, up to a maximum of 10% of the overdue "
              "amount."),
    (PENALTY, "Interest accrues daily at 0.2% on overdue sums until paid."),
    (PENALTY, "За просрочку оплаты Абонент уплачивает пеню в размере 0,5% от неоплаченной суммы за каждый день "
              "просрочки."),
    (PENALTY, "За каждый день просрочки платежа начисляется пеня 0,1 % от суммы долга."),
    (PENALTY, "Абонент уплачивает неустойку в размере половины процента от суммы долга за каждый день просрочки. "
              "Общая сумма неустойки ограничена 10% от суммы долга."),
    (PENALTY, "За несвоевременную оплату Заказчик выплачивает штраф в размере 500 рублей за каждый день просрочки."),
    (PENALTY, "Оператор вправе начислять пени за каждый день просрочки."),
    (PENALTY, "The Provider may charge a penalty of two (2) percent of the overdue amount for each week of delay."),
    (PENALTY, "При просрочке оплаты начисляется пеня 0,3% от суммы долга ежедневно."),
    (PENALTY, "Customer shall pay interest on overdue sums at 2% per week."),
    (PENALTY, "Размер пени — 0,2 % за каждый день просрочки, но не свыше 10 % суммы задолженности."),
    (LIABILITY, "The Customer shall compensate all losses of the Carrier in full, including lost profits."),
    (LIABILITY, "The Customer's liability under this Agreement is unlimited."),
    (LIABILITY, "The Subscriber shall compensate the Operator for any loss of revenue resulting from the "
                "Subscriber's breach."),
    (LIABILITY, "Liquidated damages payable by the Customer are without prejudice to the Carrier's right to claim "
                "full compensation for its losses."),
    (LIABILITY, "The limitations of liability in this Agreement do not apply to the Customer's obligations."),
    (LIABILITY, "The Carrier's total liability is limited to one month's fees. The Customer's liability is not "
                "limited."),
    (LIABILITY, "Абонент возмещает Оператору убытки в полном объеме, включая упущенную выгоду."),
    (LIABILITY, "Уплата неустойки не освобождает Абонента от обязанности возместить убытки в полном объеме сверх "
                "неустойки."),
    (LIABILITY, "Штрафы, предусмотренные настоящим Договором, уплачиваются сверх возмещения убытков."),
    (LIABILITY, "Исполнитель вправе требовать от Заказчика возмещения убытков в полном объёме, в том числе "
                "упущенной выгоды."),
    (LIABILITY, "Ответственность Оператора ограничена размером абонентской платы. Ответственность Абонента "
                "ограничению не подлежит."),
    (LIABILITY, "Customer's liability shall not be subject to any cap."),
    (LIABILITY, "The Subscriber shall bear full responsibility for any damage caused to the Operator's network."),
    (LIABILITY, "Абонент обязуется возместить все причиненные Оператору убытки без каких-либо ограничений."),
    (RENEWAL, "The Agreement shall be automatically renewed for successive one-year periods unless either party "
              "gives notice at least 90 days before the end of the term."),
    (RENEWAL, "The Agreement renews automatically for successive three (3) year periods unless either Party gives "
              "30 days' notice."),
    (RENEWAL, "The Agreement shall continue for successive periods of 12 months unless either party gives not less "
              "than 90 days' written notice."),
    (RENEWAL, "The Initial Term is thirty-six (36) months. Thereafter the Agreement shall renew automatically for the "
              "same period unless cancelled not later than thirty (30) days before the end of the term."),
    (RENEWAL, "The Agreement is automatically extended for another year. The Customer may not terminate the "
              "Agreement during any extension."),
    (RENEWAL, "If neither Party objects in writing by the 1st of October, the contract is considered renewed for the "
              "next calendar year. The contract year ends on 31 December."),
    (RENEWAL, "Договор считается пролонгированным на каждый последующий календарный год, если ни одна из сторон не "
              "заявит о его расторжении за 3 (три) месяца до окончания срока действия."),
    (RENEWAL, "Договор автоматически пролонгируется на следующий год. Абонент не вправе отказаться от пролонгации."),
    (RENEWAL, "Срок действия Договора автоматически продлевается на два года при отсутствии возражений Сторон."),
    (RENEWAL, "Срок действия Договора составляет 3 (три) года. По истечении срока Договор автоматически "
              "продлевается на тот же срок, если ни одна из Сторон не заявит об ином за 30 дней."),
    (RENEWAL, "Срок действия договора — 2 года с автоматической пролонгацией на аналогичный срок."),
    (RENEWAL, "Договор пролонгируется на тот же срок, если за 4 (четыре) месяца до окончания срока ни одна из "
              "сторон не заявит о расторжении."),
    (RENEWAL, "Absent written notice of termination at least 90 days prior to the end of the term, this Agreement "
              "renews for another year."),
    (RENEWAL, "The Agreement renews automatically each year unless notice is given at least 9 weeks before the end "
              "of the year."),
    (RENEWAL, "Договор действует до 31 декабря текущего года. Если до 1 октября ни одна из Сторон не заявит о его "
              "расторжении, Договор продлевается на следующий календарный год."),
    (RENEWAL, "Договор пролонгируется на следующий год, если за 3 месяца до окончания срока не будет заявлено о его "
              "прекращении."),
]

NEAR_MISSES = [
    (PRICE, "The Carrier may change the prices by giving the Customer at least thirty (30) days' prior written "
            "notice."),
    (PRICE, "The Carrier may change the prices on one (1) month's prior written notice."),
    (PRICE, "Prices may be changed only by written agreement of both Parties."),
    (PRICE, "The Carrier shall not change the prices during the first twelve months."),
    (PRICE, "Prices may not be increased during the Initial Term."),
    (PRICE, "The Carrier may reduce its prices at any time."),
    (PRICE, "The Customer may change its tariff plan at any time through the personal account."),
    (PRICE, "The Carrier shall give at least six weeks' notice of price changes."),
    (PRICE, "Оператор вправе изменить тарифы, уведомив Абонента в письменной форме не менее чем за тридцать (30) "
            "календарных дней."),
    (PRICE, "Изменение тарифов допускается только по соглашению Сторон."),
    (PRICE, "Оператор не вправе изменять цены в одностороннем порядке."),
    (PRICE, "Абонент вправе изменить тарифный план, направив заявление Оператору."),
    (PRICE, "Оператор вправе снижать тарифы без предварительного уведомления Абонента."),
    (PRICE, "Цены не подлежат изменению, за исключением случаев изменения законодательства."),
    (ACCEPTANCE, "The Customer may dispute any invoice within 30 days of receipt; disputed amounts are not payable "
                 "until the dispute is settled."),
    (ACCEPTANCE, "Acts not signed within fifteen (15) business days are deemed accepted."),
    (ACCEPTANCE, "Payment shall not constitute acceptance of the charges."),
    (ACCEPTANCE, "The Carrier shall respond to any billing dispute within 5 business days."),
    (ACCEPTANCE, "Payment is due within 7 days of the invoice date."),
    (ACCEPTANCE, "Disputes about charges older than 3 months cannot be raised."),
    (ACCEPTANCE, "Акт считается подписанным, если Абонент не направил возражения в течение десяти рабочих дней."),
    (ACCEPTANCE, "Оплата счета не означает согласия Абонента с начислениями."),
    (ACCEPTANCE, "Акцептом оферты считается оплата счета."),
    (ACCEPTANCE, "Оплата производится в течение 5 (пяти) банковских дней с даты выставления счёта."),
    (ACCEPTANCE, "Оператор рассматривает претензию в течение 10 дней."),
    (PENALTY, "For late payment the Carrier may charge 0.1% of the overdue amount per day, in total not more than 10% "
              "of the overdue amount."),
    (PENALTY, "If the service is unavailable, the Carrier shall credit the Customer 1% of the monthly fee for each "
              "day of unavailability."),
    (PENALTY, "If the Carrier fails to activate the number by the agreed date, it shall pay a penalty of 0.5% of the "
              "installation fee per day of delay."),
    (PENALTY, "A one-off late payment fee of 500 RUB applies."),
    (PENALTY, "За просрочку оплаты Оператор вправе потребовать пеню в размере 0,1% за каждый день просрочки, но не "
              "более 10% от суммы задолженности."),
    (PENALTY, "Абонент уплачивает неустойку в размере 0,05% за каждый день просрочки. Общая сумма неустойки не "
              "может превышать 5% от суммы долга."),
    (PENALTY, "За нарушение сроков подключения Оператор уплачивает Абоненту неустойку 0,5% за каждый день "
              "просрочки."),
    (PENALTY, "За нарушение срока оплаты Абонент уплачивает штраф в размере 1000 рублей."),
    (LIABILITY, "Each Party's total liability is limited to the fees paid in the preceding 12 months."),
    (LIABILITY, "Neither Party shall be liable for indirect losses or lost profits."),
    (LIABILITY, "The Carrier shall be liable to the Customer in full for damage caused by its negligence."),
    (LIABILITY, "The Customer is liable for damage it causes, including lost profit, up to a maximum of RUB "
                "500,000."),
    (LIABILITY, "Стороны не несут ответственности за упущенную выгоду и косвенные убытки."),
    (LIABILITY, "Совокупная ответственность Абонента по Договору не может превышать суммы платежей за 12 месяцев."),
    (LIABILITY, "Оператор возмещает Абоненту убытки в полном объёме."),
    (LIABILITY, "Стороны освобождаются от ответственности в случае действия обстоятельств непреодолимой силы."),
    (RENEWAL, "The Agreement renews automatically for successive one-year periods unless either Party gives 30 days' "
              "written notice."),
    (RENEWAL, "The Agreement may be extended by mutual written agreement of the Parties."),
    (RENEWAL, "The Agreement expires on 31 December 2026 and will not be renewed automatically."),
    (RENEWAL, "The initial term is one year; the Agreement then renews for successive one-year terms unless "
              "terminated on two months' notice."),
    (RENEWAL, "Договор считается продленным на один год, если ни одна из Сторон не заявит о его расторжении не "
              "позднее чем за 30 дней до окончания срока."),
    (RENEWAL, "Договор действует до 31 декабря 2026 года и может быть продлен по соглашению Сторон."),
    (RENEWAL, "Договор продлевается на каждые следующие 6 месяцев, если Абонент не откажется за 14 дней."),
    (PRICE, "Any increase of the Tariffs shall take effect no earlier than thirty (30) days after the Customer has "
            "been notified in writing."),
    (PRICE, "The prices are firm and not subject to revision during the term of this Order."),
    (PRICE, "Новые цены применяются по истечении 30 (тридцати) дней с даты направления Заказчику письменного "
            "уведомления."),
    (ACCEPTANCE, "Подписание Абонентом акта означает отсутствие претензий к оказанным услугам."),
    (PENALTY, "Customer shall pay interest on any overdue amount at the rate of 4% per annum above the base rate, "
              "accruing on a daily basis from the due date until the date of actual payment."),
    (PENALTY, "The Carrier shall invoice the Customer monthly in arrears; each invoice shall itemise the charges per "
              "number."),
    (LIABILITY, "Except in respect of death or personal injury caused by negligence, neither party shall be liable "
                "for any indirect or consequential loss. Supplier's total liability shall not exceed the Charges paid "
                "in the 12 months preceding the claim."),
    (RENEWAL, "The Agreement renews automatically each year unless notice is given at least 2 months before the "
              "end of the year."),
    (None, "Either Party may terminate this Agreement for convenience on ninety (90) days' written notice."),
    (None, "The award of the arbitral tribunal shall be final and binding upon the Parties."),
    (PRICE, "The Carrier may change prices with the Customer's prior written consent."),
    (PRICE, "Calls are charged at the rates in force at the time of the call, as set out in Annex 2."),
    (LIABILITY, "Nothing in the Agreement limits or excludes either party's liability for death or personal injury "
                "caused by negligence, or for fraud."),
    (LIABILITY, "The Customer shall compensate all direct losses caused by its breach."),
    (None, "Абонент обязан уведомить Оператора об изменении своих реквизитов в течение 5 дней."),
    (None, "The Carrier may extend the deadline for the connection by up to 30 days by notice to the Customer."),
    (None, "The Customer shall pay all invoices in full within 30 days."),
    (None, "Оператор вправе расторгнуть Договор в одностороннем порядке, уведомив Абонента за 10 дней."),
    (None, "Споры разрешаются в Арбитражном суде города Москвы."),
]


@pytest.mark.parametrize("category,text", RISKY)
def test_a_risky_clause_is_flagged_in_its_category_only(category, text):
    assert categories(text) == {category}


@pytest.mark.parametrize("category,text", NEAR_MISSES)
def test_a_near_miss_is_not_flagged(category, text):
    assert categories(text) == set()


# Phrasings the corpus does not use, one group per pattern: each clause with every category it must raise.
FLAGGED_AS = [
    # A change told by SMS, e-mail or notice with no period, or in force once notified.
    ({PRICE}, "The Operator shall inform the Subscriber of any change to the tariffs by SMS."),
    ({PRICE}, "Changes to the Charges will be notified to the Customer and take effect on notification."),
    ({PRICE}, "The Operator shall notify the Subscriber of tariff changes by SMS or e-mail; the new tariffs apply from "
              "the date of such notice."),
    ({PRICE}, "Об изменении тарифов Оператор уведомляет Абонента по электронной почте."),
    ({PRICE}, "Новые тарифы вводятся в действие с даты направления Абоненту SMS-сообщения."),
    # The carrier's right to revise its charges inside a renewal clause; the renewal's notice is not the price's.
    ({PRICE}, "This Agreement renews automatically for successive one-year terms unless either party gives 30 days' "
              "notice, and upon each renewal the Operator may revise its charges."),
    ({PRICE, RENEWAL}, "The contract is renewed automatically for a further year unless terminated with 3 months' "
                       "notice; upon every renewal the Operator is entitled to revise its charges."),
    ({PRICE}, "Договор автоматически продлевается на каждый следующий год, если ни одна из Сторон не заявит о его "
              "расторжении за 30 дней; при каждом продлении Оператор вправе пересмотреть тарифы."),
    ({PRICE, RENEWAL}, "Договор продлевается автоматически на один год, если ни одна из сторон не заявит о "
                       "расторжении за 90 дней; при каждом продлении Оператор вправе пересмотреть тарифы."),
    # Prices published on the website, and payment taken as acceptance: both categories.
    ({PRICE, ACCEPTANCE}, "Оператор вправе изменять тарифы путём размещения их на сайте, а оплата Абонентом счёта "
                          "означает согласие с новыми тарифами."),
    ({PRICE, ACCEPTANCE}, "Новые тарифы публикуются на сайте Оператора. Оплата Абонентом выставленного счета означает "
                          "согласие с ним."),
    ({PRICE, ACCEPTANCE}, "Тарифы изменяются путем размещения на сайте Оператора, при этом оплата счета Абонентом "
                          "считается акцептом счета."),
    # Payment as acceptance, with the payment described at length.
    ({ACCEPTANCE}, "Payment of any invoice, whether in whole or in part, shall constitute the Customer's unconditional "
                   "acceptance of it."),
    ({ACCEPTANCE}, "Payment by the Customer of any invoice, whether in whole or in part, shall constitute its "
                   "unconditional acceptance of that invoice."),
    ({ACCEPTANCE}, "Any payment made against an invoice, in whole or in part, shall be deemed to be unconditional "
                   "acceptance of that invoice."),
    # The customer compensates all losses with no cap, whoever the sentence names first.
    ({LIABILITY}, "The Customer shall indemnify the Provider in full against all losses, costs and damages resulting "
                  "from any breach of the acceptable use policy."),
    ({LIABILITY}, "Where the Provider suffers any loss as a result of the Customer's breach of the Acceptable Use "
                  "Policy, the Customer shall reimburse the Provider for such losses, costs and damages in full."),
    ({LIABILITY}, "The Provider shall be compensated by the Customer for all losses, costs and damages arising from a "
                  "breach of the AUP."),
    ({LIABILITY}, "The limitation of liability applies to the Provider only; the Customer's liability is not limited."),
    ({LIABILITY}, "Неустойка не является исключительной: убытки взыскиваются в полном объеме сверх неустойки."),
    # Renewals that "continue" for long terms, and a long notice in a conditional sentence.
    ({RENEWAL}, "On expiry of the Minimum Term, the Services shall continue for successive Renewal Terms of 24 "
                "months."),
    ({RENEWAL}, "On expiry of the Minimum Term of 12 months, the Services shall continue for successive Renewal Terms "
                "of twenty-four (24) months each."),
    ({RENEWAL}, "Если Клиент не позднее чем за 70 (семьдесят) календарных дней до окончания срока не уведомит "
                "Оператора об отказе, договор продлевается на следующий год."),
    ({RENEWAL}, "В случае, если Клиент не позднее чем за 70 (семьдесят) календарных дней до окончания срока действия "
                "договора не уведомит Оператора в письменной форме об отказе от его продления, договор продлевается "
                "на каждый следующий календарный год."),
]

NOT_FLAGGED = [
    # Mutual agreement stated as the condition of a change's validity.
    "Any change to the Charges shall be valid only if made in writing and signed by both Parties.",
    "Amendments to the tariffs are valid only if made in writing and signed by authorised representatives of both "
    "Parties.",
    "Изменение тарифов действительно только при условии, что оно совершено в письменной форме и подписано обеими "
    "Сторонами.",
    # The customer's own choice of tariff plan.
    "The Subscriber may switch to another tariff plan at any time.",
    "The Customer may, at any time, change to another tariff plan by submitting a request in the Customer Portal.",
    "Абонент вправе в любое время перейти на другой тарифный план.",
    "Абонент по своему выбору в любой момент может изменить тарифный план.",
    # A renewal notice in the same sentence as a price revision on enough notice.
    "The Service Term shall automatically renew for successive one-year periods, and at each renewal the Provider "
    "may revise the charges by giving 30 days' notice.",
    # Payment as acceptance of an order, or payment denied as acceptance.
    "Payment of the first invoice constitutes acceptance of the Order.",
    "Payment of any invoice, whether in whole or in part, shall not constitute the Customer's acceptance of it.",
    # An exclusive penalty is a cap; a cap stated far from the losses still caps them.
    "За нарушение срока оплаты Абонент уплачивает штраф в размере 5 000 рублей. Неустойка является исключительной: "
    "убытки сверх неустойки взысканию не подлежат.",
    "Штраф носит исключительный характер; возмещение убытков сверх штрафа не допускается.",
    "Абонент уплачивает исключительную неустойку в размере 10% стоимости услуг; убытки сверх неустойки не "
    "взыскиваются.",
    "Liquidated damages payable by the Customer under this clause are the Provider's sole and exclusive remedy for "
    "late payment.",
    "The Customer shall indemnify the Provider against all losses arising from a breach of the Acceptable Use Policy, "
    "up to a maximum of the charges paid in the preceding 12 months.",
    # The carrier compensates the customer.
    "The Customer shall be compensated by the Provider for all losses caused by the outage in full.",
    # Renewals within the playbook.
    "On expiry of the Minimum Term, the Services shall continue for successive Renewal Terms of 12 months unless "
    "either party gives 30 days' notice.",
    "Если Клиент не позднее чем за 45 (сорок пять) календарных дней до окончания срока не уведомит Оператора об "
    "отказе, договор продлевается на один год.",
]


@pytest.mark.parametrize("expected,text", FLAGGED_AS)
def test_other_phrasings_raise_exactly_their_categories(expected, text):
    assert categories(text) == expected


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_other_phrasings_of_safe_terms_are_not_flagged(text):
    assert categories(text) == set()


def test_a_notice_to_stop_renewal_is_not_a_notice_of_price_changes():
    text = ("This Agreement renews automatically for successive one-year terms unless either party gives 30 days' "
            "notice, and upon each renewal the Operator may revise its charges.")
    flag, = analyse_clause(text).flags
    assert flag.match == "revise"
    assert analyse_clause(text).terms["price_change_notice_days"] is None
    assert analyse_clause(text).terms["renewal_notice_days"] == 30


@pytest.mark.parametrize("risky,clean", [
    ("The Carrier may change the prices.", "The Carrier may not change the prices."),
    ("The Customer waives the right to dispute the invoices.",
     "The Customer does not waive the right to dispute the invoices."),
    ("Оплата счёта означает согласие Абонента с суммой счёта.",
     "Оплата счёта не означает согласия Абонента с суммой счёта."),
    ("Оператор вправе изменять тарифы.", "Оператор не вправе изменять тарифы."),
])
def test_a_negation_turns_the_verdict(risky, clean):
    assert categories(risky) and not categories(clean)


def test_a_flag_points_at_the_words_and_says_what_it_found_against_what():
    text = "5.3. The Carrier may increase the charges on five (5) days' notice."
    flag, = analyse_clause(text).flags
    assert isinstance(flag, Flag)
    assert text[flag.start:flag.end] == flag.match == "increase the charges on five (5) days'"
    assert (flag.category, flag.found, flag.threshold) == (PRICE, "notice 5 days < 30", "30 days")
    assert flag.explanation == DEFAULT_PLAYBOOK.price_change.explanation["en"]
    assert flag.suggested_wording == DEFAULT_PLAYBOOK.price_change.suggested_wording["en"]
    assert set(flag.to_data()) == {"category", "start", "end", "match", "found", "threshold", "explanation",
                                   "suggested_wording"}
    assert json.loads(json.dumps(flag.to_data()))["match"] == flag.match


def test_flags_speak_the_clause_language_and_count_business_days():
    flag, = analyse_clause("Оператор вправе изменить тарифы, уведомив Абонента за 3 (три) рабочих дня.").flags
    assert flag.found == "уведомление за 3 рабочих дня < 30"
    assert flag.threshold == "30 дней"
    assert flag.suggested_wording == DEFAULT_PLAYBOOK.price_change.suggested_wording["ru"]
    assert flag.match == "изменить тарифы, уведомив Абонента за 3 (три) рабочих дня"


def test_flags_of_a_clause_come_in_the_order_of_the_text():
    text = ("The Carrier may change the tariffs at any time by publishing them on its website, and payment of the "
            "next invoice constitutes the Customer's acceptance of the new tariffs and of that invoice.")
    flags = analyse_clause(text).flags
    assert [flag.category for flag in flags] == [PRICE, ACCEPTANCE]
    assert flags[0].start < flags[1].start
    assert all(text[flag.start:flag.end] == flag.match for flag in flags)


@pytest.mark.parametrize("text,terms", [
    ("The Carrier may change the prices at any time without notice.", {"price_change_notice_days": None}),
    ("The Carrier may change the prices on forty-five (45) days' written notice.", {"price_change_notice_days": 45}),
    ("Invoices not disputed within seven days of issue are deemed correct.", {"invoice_dispute_days": 7}),
    ("Оплата счёта означает согласие Абонента с суммой счёта.", {"invoice_dispute_days": 0}),
    ("Пеня составляет 0,05 % за каждый день просрочки и не может превышать 5 % от суммы долга.",
     {"daily_penalty_percent": Decimal("0.05"), "penalty_capped": True}),
    ("Late payment interest: one half of one percent per day.",
     {"daily_penalty_percent": Decimal("0.5"), "penalty_capped": False}),
    ("The Customer shall keep all information confidential.", {}),
])
def test_the_terms_a_clause_states_are_recorded(text, terms):
    stated = analyse_clause(text).terms
    assert {name: value for name, value in stated.items() if name in RECORDED} == terms


def test_the_playbook_survives_a_round_trip_through_json():
    data = json.loads(json.dumps(DEFAULT_PLAYBOOK.to_data()))
    assert Playbook.from_data(data) == DEFAULT_PLAYBOOK
    assert set(data) == set(CATEGORIES)
    assert data["daily_penalty"]["max_percent_per_day"] == "0.1"
    assert [category for category in CATEGORIES if DEFAULT_PLAYBOOK.must_have(category)] == [
        PRICE, ACCEPTANCE, PENALTY, LIABILITY]


def test_the_playbook_keeps_defaults_for_what_the_data_leaves_out():
    playbook = Playbook.from_data({"price_change": {"min_notice_days": 45}})
    assert playbook.price_change.min_notice_days == 45
    assert playbook.price_change.explanation == DEFAULT_PLAYBOOK.price_change.explanation
    assert playbook.auto_renewal == DEFAULT_PLAYBOOK.auto_renewal


@pytest.mark.parametrize("data,fields", [
    ({"price_change": {"min_notice_days": -1}}, {"price_change.min_notice_days"}),
    ({"deemed_acceptance": {"min_dispute_days": "ten"}}, {"deemed_acceptance.min_dispute_days"}),
    ({"daily_penalty": {"max_percent_per_day": "-0.1"}}, {"daily_penalty.max_percent_per_day"}),
    ({"daily_penalty": {"requires_cap": "yes"}}, {"daily_penalty.requires_cap"}),
    ({"late_fees": {}}, {"late_fees"}),
    ({"auto_renewal": {"max_notice_days": 60, "colour": "red"}}, {"auto_renewal.colour"}),
    ({"uncapped_liability": {"suggested_wording": {"en": "Capped.", "ru": "  "}}},
     {"uncapped_liability.suggested_wording.ru"}),
    ({"uncapped_liability": {"explanation": "Why."}}, {"uncapped_liability.explanation"}),
    ({"price_change": {"min_notice_days": -5}, "auto_renewal": {"must_have": "no"}},
     {"price_change.min_notice_days", "auto_renewal.must_have"}),
])
def test_bad_playbook_values_are_refused_by_name(data, fields):
    with pytest.raises(InvalidInput) as refused:
        Playbook.from_data(data)
    assert set(refused.value.fields) == fields


def test_a_changed_threshold_changes_the_verdict():
    notice = "The Carrier may change the prices on forty-five (45) days' written notice."
    assert categories(notice) == set()
    stricter = replace(DEFAULT_PLAYBOOK, price_change=replace(DEFAULT_PLAYBOOK.price_change, min_notice_days=60))
    flag, = analyse_clause(notice, playbook=stricter).flags
    assert (flag.found, flag.threshold) == ("notice 45 days < 60", "60 days")

    uncapped = "Overdue amounts bear interest of 0.1% per day."
    assert categories(uncapped) == {PENALTY}
    assert categories(uncapped, Playbook.from_data({"daily_penalty": {"requires_cap": False}})) == set()

    renewal = "The Agreement renews automatically for one-year periods unless either party gives 45 days' notice."
    assert categories(renewal) == set()
    assert categories(renewal, Playbook.from_data({"auto_renewal": {"max_notice_days": 30}})) == {RENEWAL}
