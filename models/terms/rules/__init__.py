"""One check per risk category: each reads a clause and returns a Verdict, or None when the clause does not speak
of the category."""
from ..playbook import AUTO_RENEWAL, DAILY_PENALTY, DEEMED_ACCEPTANCE, PRICE_CHANGE, UNCAPPED_LIABILITY
from . import auto_renewal, daily_penalty, deemed_acceptance, price_change, uncapped_liability

CHECKS = ((PRICE_CHANGE, price_change.check), (DEEMED_ACCEPTANCE, deemed_acceptance.check),
          (DAILY_PENALTY, daily_penalty.check), (UNCAPPED_LIABILITY, uncapped_liability.check),
          (AUTO_RENEWAL, auto_renewal.check))
