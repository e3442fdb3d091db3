"""The English words and patterns of the detector."""
from .lexicon import Lexicon


ENGLISH = Lexicon(
    words={
        "CARRIER": r"carrier|operator|provider|supplier|licensor|contractor|vendor|seller|we|us",
        "CUSTOMER": r"customer|subscriber|client|user|buyer|purchaser|licensee|you",
        "NEG": r"not|never|no|cannot|can't|won't|shan't|don't|doesn't|nor|neither",
        "PRICE": r"prices?|pricing|tariffs?|rates?|fees?|charges?|costs?|price-list|pricelist",
        "CHANGE": r"chang\w*|amend\w*|modif\w*|revis\w*|increas\w*|adjust\w*|alter|alters|altered|altering|"
                  r"alteration\w*|vary|varies|varied|variation\w*|updat\w*|index\w*|repric\w*|hike\w*|uplift\w*|"
                  r"escalat\w*|reduc\w*|decreas\w*|lower\w*",
        # Words that change prices only when the prices follow at once: "raise the prices", "new tariffs".
        "CHANGE_BEFORE_PRICE": r"rais(?:e|es|ed|ing)|new|introduc\w*|set|sets|establish\w*",
        "DECREASE": r"reduc\w*|decreas\w*|lower\w*",
        "INCREASE": r"increas\w*|rais\w*|hike\w*|uplift\w*|escalat\w*",
        "PRONOUN": r"them|it|they|these|such|its|their|same",
        # What else changes: "a change in law", "change of address".
        "OTHER_OBJECT": r"laws?|legislation|regulations?|taxe?s?|vat|address\w*|details|circumstances|"
                        r"conditions|numbers?|services?|equipment|software|network|routing|data",
        "OBJECT_GAP": r"of|in|to|the|its|their|any|applicable|relevant",
        "PERMISSION": r"may|can|entitled|right|request\w*|choose\w*|elect\w*|apply|applies|option",
        "NEG_GAP": r"shall|will|may|must|can|could|would|should|be|been|being|is|are|was|were|have|has|had|do|"
                   r"does|did|unilaterally|otherwise|subsequently|further|thereafter|entitled|permitted|allowed|"
                   r"able|to|the|its|their|any|in|way|right|at|all|itself|also|then|event|case|time|during|term|"
                   r"subject|this|agreement|prices?|tariffs?|rates?|fees?|charges?|{CARRIER}",
        "LIABILITY": r"liab\w*|responsib\w*|damages?|loss|losses|indemn\w*|compensat\w*|reimburs\w*|fines?|"
                     r"penalt\w*|harm\w*",
        # What a party named in the possessive bears: "the Customer's total liability".
        "OWNED": r"liab\w*|responsib\w*|obligations?|fines?|penalt\w*|indemn\w*",
        "PAY": r"pay|pays|paid|paying|payments?|payable|settle\w*|due",
        "OBJECTION": r"object\w*|disput\w*|claims?|complain\w*|quer\w*|contest\w*|challeng\w*|comments?|"
                     r"reservations?|discrepanc\w*|disagree\w*|reject\w*|sign|signs|signed|return\w*",
        "REVIEW": r"consider\w*|review\w*|respond\w*|response|answer\w*|repl\w*|resolv\w*|investigat\w*|examin\w*|"
                  r"process\w*|handl\w*",
        "DOCUMENT": r"invoices?|bills?|billing|acts?|reports?|statements?|services?|cdrs?|details?|usage|charges?|"
                    r"accounts?|reconciliation\w*|amounts?|volumes?|traffic|works?|certificates?|calculations?|"
                    r"records?|documents?",
        # What starts another part of a sentence after a comma.
        "CONJUNCTION": r"and|but|while|whereas",
        "OTHER_TOPIC": r"terminat\w*|cancel\w*|disput\w*|object\w*|claims?|renew\w*|complain\w*|penalt\w*",
        "RECOVER": r"recover\w*|claim|claims|demand\w*|charg\w*|requir\w*|seek\w*|collect\w*|impos\w*|levy|"
                   r"levies|withhold\w*|deduct\w*",
        "OBLIQUE": r"to|by|from|against|for|with|of|towards|toward|on|upon|at|than|between|before",
        "ARTICLE": r"the|a|an|its|their|this|such|any|each|other",
        "RENEW": r"renew\w*|extend|extends|extended|extending|extension\w*|prolong\w*|rollover|roll|rolls|rolled|"
                 r"evergreen",
        "PENALTY": r"penalt\w*|interest|fines?|surcharge\w*|forfeit\w*|liquidated|fees?|charges?",
        "DELAY": r"delay\w*|late|lateness|overdue|arrears?|default\w*|non-payment|nonpayment|unpaid|outstanding|past|"
                 r"fail\w*|failure|belated\w*|untimely",
        # What counts weeks or months of delay, not of billing ("monthly in arrears").
        "DELAY_COUNTED": r"delay\w*|late|lateness|overdue|default|non-payment",
        # Words that name a penalty by themselves; a fee or charge is one only with a rate.
        "PENALTY_NAMED": r"penalt\w*|interest|fines?|surcharge\w*|forfeit\w*|liquidated",
    },
    patterns={
        "notice_period":
            r"(?P<q>#dur) (?:' |'s )?(?:\w+ ){0,3}(?:notice|notification|warning)"
            r"|(?:notice|notif\w*|inform\w*|warn\w*|announc\w*|publish\w*|post\w*|advis\w*|communicat\w*) <8>"
            r"(?P<q>#dur)"
            r"|(?P<q>#dur) (?:' |'s )?(?:in advance|prior|before|beforehand|ahead|preceding|earlier)"
            r"|(?P<q>#dur) (?:after|following|from) <5>(?:publication|posting|notice|notification|notif\w*|"
            r"dispatch|sending|despatch|receipt|placement|announcement|publish\w*|post\w*|sent|given|served|"
            r"delivery|date)"
            r"|(?:effective|effect|apply|applies|valid|force) <4>(?:after|upon|on|following|from) <3>(?P<q>#dur)"
            r"|(?:effective|effect|apply|applies|valid|force) <4>(?P<q>#dur) (?:after|following|from)",
        "no_notice":
            r"without (?:any )?(?:\w+ ){0,2}(?:notice|notif\w*|warning|consent|agreement|approval|informing)"
            r"|at any (?:time|moment)|immediately|forthwith|with immediate effect|from time to time"
            r"|(?:publish\w*|post\w*|plac\w*|upload\w*|announc\w*|display\w*) <6>(?:website|site|web|portal|"
            r"online|internet|page|account)"
            r"|(?:upon|on|from|as of) (?:the )?(?:date |day |moment |time )?(?:of )?(?:their |its |such )?"
            r"(?:publication|posting|announcement|notification|notice|dispatch)",
        # Prices as the carrier's website shows them when the service is used: changed by publishing.
        "published_prices": r"(?:publish\w*|post\w*) <6>(?:website|site|web|portal|online) <8>(?:at the time|"
                            r"from time to time|on the date|at the date)"
                            r"|(?:at the time|from time to time|current\w*|in force) <6>(?:publish\w*|post\w*) <6>"
                            r"(?:website|site|web|portal|online)",
        "unilateral": r"unilateral\w*|(?:sole|own|absolute) discretion|at (?:its|their) discretion"
                      r"|reserves? the right",
        "notice_word": r"notice|notif\w*|inform\w*|warn\w*|advis\w*|announc\w*",
        "agreement":
            r"(?:agreement|consent|approval|accord) (?:of|between|by|from) (?:both |the |all |each )?"
            r"(?:parties|party|{CUSTOMER})"
            r"|mutual\w* (?:\w+ )?(?:agreement|consent|agree\w*|accord)|mutually"
            r"|(?:with|requir\w*|subject to|upon|only|obtain\w*|need\w*) (?:the |a |an )?{CUSTOMER} (?:'s )?(?:prior )?"
            r"(?:written |express )?(?:consent|agreement|approval)"
            r"|(?:both|the) parties (?:\w+ ){0,2}agree\w*|agreed (?:\w+ ){0,3}(?:by|between) (?:both |the )?parties"
            r"|supplementary agreement|addendum|amendment (?:\w+ ){0,3}signed|signed (?:\w+ ){0,3}(?:both|parties)"
            r"|by (?:written )?agreement|upon agreement|with the agreement"
            # Mutual agreement as the condition of a change's validity: "valid only if … signed by …".
            r"|(?:valid|effective|binding|enforceable) (?:only )?(?:if|when|where|unless|upon|provided) <10>"
            r"(?:signed|agreed|executed)",
        "decrease_only":
            r"(?:only|solely|exclusively) <3>(?:downward\w*|decreas\w*|reduc\w*|lower\w*|in (?:the )?"
            r"(?:favour|favor) of (?:the )?{CUSTOMER})|downward\w* only",
        "prohibited": r"(?:not (?:be )?(?:permitted|allowed|possible|admissible)|prohibited|excluded|forbidden|"
                      r"impermissible)",
        "customer_request":
            r"(?:request|initiative|application|option|election|instruction\w*|order) (?:of|by|from) (?:the )?"
            r"{CUSTOMER}|{CUSTOMER} 's (?:request|initiative|application|option|election|instruction\w*|order)"
            r"|by (?:the )?{CUSTOMER}",
        "cross_reference": r"(?:clause|section|article|paragraph|para|sec|art|cl|item|subclause|sub-clause) "
                           r"(?:\. )?(?:no |№ )?(?:\. )?#num",
        # Deemed acceptance.
        "deemed":
            r"(?:deem\w*|consider\w*|treat\w*|regard\w*|taken|recogni[sz]ed|held) <4>(?:accept\w*|approv\w*|"
            r"agreed|confirm\w*|signed|final|binding|correct|undisputed|conclusive|acknowledg\w*|rendered|"
            r"performed|valid|fulfill?ed|satisf\w*)"
            r"|(?:constitut\w*|amount\w* to|signif\w*|represent\w*) <2>(?:acceptance|approval|confirmation|consent|"
            r"acknowledg\w*)"
            r"|(?:shall|will|is|are|becomes?|remains?) (?:be |become |remain )?(?:final|conclusive|binding|"
            r"undisputed|indisputable|incontestable)"
            r"|final and (?:binding|conclusive)|conclusive and binding"
            r"|silence <4>(?:acceptance|consent|agreement|approval|accept\w*)",
        "payment_means":
            r"{PAY} <16>(?:constitut\w*|mean\w*|signif\w*|deem\w*|consider\w*|confirm\w*|evidenc\w*|impl\w*|"
            r"treat\w*|amount\w*|serv\w*|indicat\w*|represent\w*|regard\w*|taken) <4>(?:acceptance|agreement|"
            r"approval|confirmation|consent|accept\w*|acknowledg\w*|waiver|agree\w*|undisputed|correct\w*|"
            r"approv\w*)"
            r"|by (?:paying|payment|making payment|settling) <6>(?:accept\w*|agree\w*|confirm\w*|acknowledg\w*|"
            r"waive\w*|approv\w*)"
            r"|{PAY} <6>(?:confirm\w*|evidenc\w*|mean\w*|signif\w*) <3>(?:(?:absence|lack) of (?:any )?|no )"
            r"(?:claims?|objections?|disputes?|complaints?)",
        "denial": r"(?:not|never) (?:be )?(?:construed|constitut\w*|mean|deemed|considered|treated|regarded|"
                  r"taken|amount|imply|signify|operate|prejudice|affect)",
        # What is accepted when it is not an invoice: the offer, the contract, new prices.
        "offer_object": r"(?:(?:the )?{CUSTOMER} (?:'s )?)?(?:of |to |with )?(?:the |this |these |our |its |such |"
                        r"any )?(?:public |new |amended |changed |revised )*(?:offer|order|application|agreement|"
                        r"contract|terms|conditions|proposal|quotation|quote|{PRICE}|changes?|amendments?|them)",
        "barred":
            r"(?:waive\w*|forfeit\w*|lose\w*|lost) <4>(?:rights?|claims?) <3>(?:to )?(?:disput\w*|object\w*|"
            r"challeng\w*|contest\w*|quer\w*|claim\w*)"
            r"|(?:waive\w*|forfeit\w*) <3>(?:disput\w*|objection\w*|claims?)"
            r"|(?:not|cannot|never) (?:(?:be|been|entitled|permitted|allowed|able|to|have|has|the|right|any|"
            r"subsequently|thereafter|later|afterwards|withhold|or|and|otherwise|in|way) ){0,4}(?:dispute|challenge|"
            r"contest|object|query|question|claim|raise)\w*"
            r"|(?:disput\w*|claims?|objection\w*|complaint\w*|quer\w*|challenge\w*) <14>(?:not|no longer) (?:be )?"
            r"(?:accepted|considered|entertained|admissible|allowed|valid|permitted|possible|heard|recogni[sz]ed|"
            r"reviewed|examined)"
            r"|(?:time-barred|barred|precluded|inadmissible)"
            r"|not subject to (?:any )?(?:dispute|challenge|objection|appeal|review)",
        "claims_window":
            r"(?:disput\w*|claims?|objection\w*|complain\w*|quer\w*|challeng\w*|object|contest\w*|discrepanc\w*) "
            r"<10>(?:within|no later than|not later than|during) (?:the |a )?(?:period of |term of )?(?P<q>#dur)",
        "window":
            r"(?:within|in|during|no later than|not later than|before the expiry of|before the end of|until the "
            r"expiry of) (?:the |a )?(?:period of |term of )?(?P<q>#dur)"
            r"|(?P<q>#dur) (?:of|from|after|following|since)"
            r"|(?P<q>#dur) (?:have|has) (?:passed|elapsed|expired)"
            r"|(?:expiry|expiration|lapse|end) of (?:the |a )?(?P<q>#dur)",
        # Daily penalties.
        "per_period":
            r"(?:per|for each|for every|for any|each|every|a|an) (?:calendar |business |banking |working |full |"
            r"commenced |started |overdue )?(?P<unit>day|days|diem|week|weeks|month|months)"
            r"|(?P<unit>daily|weekly|monthly)|/ (?P<unit>day|week|month)",
        "annual": r"#pct (?:\w+ ){0,2}(?:per annum|a year|per year|annually|yearly|annual|p \. a \.)",
        "customer_pays":
            r"{CUSTOMER} <4>(?:pay|pays|paid|liable|owe\w*|incur\w*)"
            r"|(?:late|delay\w*|overdue|untimely|belated|default\w*|fail\w*|failure|non) <3>(?:payment|pay|paying|"
            r"settlement)"
            r"|(?:payment|pay|paying|invoice\w*|amounts?|sums?|bills?) <3>(?:late|overdue|delay\w*|outstanding|"
            r"unpaid|past due|in arrears)"
            r"|(?:unpaid|overdue|outstanding|past due) (?:\w+ ){0,2}(?:amount|sum|invoice|balance|debt|payment)"
            r"|{CARRIER} <5>(?:charge|claim|levy|impose|demand|recover|accrue|apply|collect|invoice|bill)",
        "carrier_pays":
            r"{CARRIER} <4>(?:pay|pays|credit|credits|refund|refunds|compensat\w*|reimburse\w*|grant\w*|owe\w*)"
            r"|service credit\w*|credits? to (?:the )?{CUSTOMER}|pay (?:to )?(?:the )?{CUSTOMER}"
            r"|{CARRIER} <3>(?:delay\w*|miss\w*|fail\w*|is late|breach\w*)"
            r"|(?:fee|fees|charges?|price|prices) <4>(?:reduc\w*|discount\w*|waived|credited)"
            r"|(?:unavailab\w*|outage\w*|interrupt\w*|downtime|suspension|breakdown|fault\w*)"
            r"|failure of (?:the )?service\w*"
            r"|delay\w* (?:in |of )?(?:the )?(?:provision|activation|connection|installation|delivery|porting|repair|"
            r"restoration|commissioning|provisioning|number|service)",
        "cap":
            r"(?:not (?:to )?exceed\w*|shall not exceed|will not exceed|may not exceed|does not exceed|no more than|"
            r"not more than|(?:no|not|never) (?:case |event )?(?:\w+ ){0,2}exceed\w*|"
            r"up to (?:a |the )?(?:maximum|max|total|limit)(?: of)?|maximum (?:of|amount|total)|"
            r"capped|cap (?:of|at)|limited to|limit of|subject to (?:a |an )?(?:maximum|cap|limit|ceiling)|at most|"
            r"no greater than|not greater than|ceiling of|maximum) <6>(?P<capped>#pct|#amt|#num|amount|sum|value|"
            r"price|fee|fees|invoice\w*|debt|charges?|total|payment|balance|principal|sums)",
        "no_cap": r"(?<!\bincluding )(?<!\bincluding , )without (?:any )?(?:limit\w*|cap|ceiling|maximum|restriction)"
                  r"|no (?:limit\w*|cap|ceiling|maximum)|unlimited|uncapped|(?<!\bbut )not (?:be )?(?:capped|limited)",
        # Liability.
        "unlimited":
            r"unlimited|uncapped|(?<!\bincluding )(?<!\bincluding , )without (?:any )?(?:limit\w*|cap|restriction|"
            r"ceiling|maximum)"
            r"|(?<!\bbut )not (?:be )?(?:limited|capped|subject to (?:any )?(?:limit\w*|cap|ceiling))"
            r"|no (?:limit\w*|cap|ceiling|maximum)|in full|full (?:amount|extent|compensation|value|indemnity|"
            r"indemnification)|full (?:\w+ )?(?:responsibility|liability)"
            r"|fully (?:liable|responsible|indemnif\w*|compensat\w*|reimburs\w*)"
            r"|entire (?:amount|loss\w*|damage\w*|cost\w*)|any and all|all (?:loss\w*|damage\w*|cost\w*|expense\w*|"
            r"claims?|liabilit\w*|fines|penalties)|whatsoever|(?:irrespective|regardless) of (?:the )?amount"
            r"|nothing <8>(?:limit\w*|restrict\w*|exclud\w*|reduc\w*|cap\w*)"
            r"|(?:limitation|limit|cap)s? <8>(?:not|never) (?:\w+ )?(?:apply|applies|extend\w*|cover\w*|benefit\w*)",
        "lost_profit":
            r"(?:lost|loss of|losses of) (?:\w+ )?(?:profit\w*|revenue\w*|income|business|earnings|savings|"
            r"opportunit\w*)|consequential|indirect|punitive",
        "on_top":
            r"(?:in addition to|on top of|over and above|besides) <10>(?:damage\w*|loss\w*|penalt\w*|fines?|"
            r"compensation|indemn\w*|liquidated)"
            r"|(?:penalt\w*|fines?|liquidated damages|interest) <8>(?:not|no) <3>(?:release\w*|reliev\w*|exempt\w*|"
            r"limit\w*|affect\w*|exclud\w*|prejudic\w*|replac\w*|reduc\w*|discharg\w*) <8>(?:damage\w*|loss\w*|"
            r"compensat\w*|indemn\w*)"
            r"|without prejudice to <4>(?:damage\w*|loss\w*|compensation)",
        "exclusion":
            r"(?:not|neither|nor|no) <5>(?:liab\w*|responsib\w*|indemnif\w*|compensat\w*|recover\w*|claim\w*|"
            r"reimburs\w*) <10>(?:indirect|consequential|lost|loss of (?:profit|revenue|income|business)|"
            r"profit\w*|special|punitive)"
            r"|exclud\w* <10>(?:indirect|consequential|lost|profit\w*)"
            r"|(?:indirect|consequential|lost profit\w*|loss of profit\w*) <10>(?:excluded|not (?:be )?"
            r"(?:recoverable|compensated|payable|covered|claimed|reimbursed)|shall not)"
            r"|(?:only|solely|limited to) (?:for )?(?:the )?(?:direct|actual|real) (?:damage|loss)\w*"
            r"|(?<!\band )(?<!\bor )direct (?:(?!indirect|consequential)\w+ ){0,2}(?:damage|loss)\w*"
            r"(?! (?:and|or) (?:indirect|consequential))",
        # What no contract may limit: not a risk the carrier's text adds.
        "carve_out": r"death|personal injury|(?:for|of) (?:its |their |own )*fraud(?: or fraudulent misrepresentation)?"
                     r"|fraudulent misrepresentation|wil(?:l)?ful misconduct|gross negligence"
                     r"|(?:cannot|can not|may not) be (?:limited|excluded) (?:by|under) (?:applicable )?law",
        # "Where the Provider suffers a loss …, the Customer shall …": the main clause starts after the comma.
        "subordinate_opening": r"(?:^|^#num (?:\. )?)(?:if|where|when|whenever|should|once|in the event|in case|"
                               r"to the extent)",
        # "The Provider shall be compensated by the Customer": the party after "by" pays.
        "paid_by": r"(?:be|been|being|is|are) (?:\w+ )?(?:compensat\w*|indemnif\w*|reimburs\w*|paid|held harmless|"
                   r"made whole) <4>by (?:the )?(?P<payer>{CUSTOMER}|{CARRIER})",
        # A penalty that is the only remedy: losses beyond it are not recoverable, so it caps the liability.
        "exclusive_penalty":
            r"(?:penalt\w*|fines?|liquidated damages|service credits?) (?:(?!not |no )[^ ;]+ ){0,8}(?:sole|exclusive) "
            r"(?:and exclusive )?"
            r"(?:remedy|compensation|liability)"
            r"|(?:sole|exclusive) (?:and exclusive )?(?:remedy|compensation) <6>(?:penalt\w*|fines?|liquidated)"
            r"|(?:loss\w*|damage\w*) <4>(?:in excess of|beyond|above|exceeding) <3>(?:penalt\w*|fines?|"
            r"liquidated damages) <6>(?:not|no longer) (?:be )?(?:recoverable|payable|compensated|claimed)",
        "liability_cap":
            r"(?:liab\w*|damage\w*|compensation|indemn\w*|fines?|penalt\w*|amount\w*|claims?|loss\w*|"
            r"responsib\w*) <10>(?:(?<!\bnot )(?<!\bnot be )limited to|shall not exceed|not (?:to )?exceed\w*|"
            r"will not exceed|may not exceed|does not exceed|no more than|not more than|capped|cap|ceiling|"
            r"maximum|at most|in no event exceed|in no case exceed)"
            r"|subject to (?:the )?(?:limitation|limits?|cap)"
            r"|up to (?:a |the )?(?:maximum|total|aggregate|limit|cap) (?:amount )?of",
        # Automatic renewal.
        "renew_phrase": r"continu\w* <4>(?:for|on) (?:a |an |the )?(?:further|another|additional|successive|"
                        r"subsequent|consecutive|same|like|each|next)"
                        r"|continu\w* <3>(?:from year to year|year (?:- )?to (?:- )?year|month (?:- )?to (?:- )?month)",
        "automatic":
            r"automatic\w*|tacit\w*|evergreen|rolling"
            r"|unless <10>(?:notice|notif\w*|terminat\w*|cancel\w*|non-renewal|opt\w*|elect\w*|object\w*|decid\w*|"
            r"written)"
            r"|(?:deem\w*|consider\w*) <3>(?:renew\w*|extend\w*|prolong\w*)"
            r"|(?:shall|will|is|are) <3>(?:renew\w*|extend\w*|prolong\w*|continu\w*) <6>(?:successive|subsequent|"
            r"consecutive|further|additional|same|another|like|equal|each|identical|renewal)"
            r"|(?:is|are|shall be|will be) (?:\w+ ){0,2}(?:renewed|extended|prolonged) <4>(?:for|by) (?:a |an |the |"
            r"each )?(?:further|another|next|successive|subsequent|same|following)"
            r"|(?:renew\w*|extend\w*|continu\w*) <3>(?:from year to year|year (?:- )?to (?:- )?year|annually|"
            r"each year|every year|yearly|month (?:- )?to (?:- )?month)"
            r"|if (?:neither|no) <8>(?:notice|notif\w*|terminat\w*|declar\w*|inform\w*|request\w*)"
            r"|in the absence of <4>(?:notice|notification|objection|termination)"
            r"|(?:absent|failing) <3>(?:notice|notification)",
        "renew_by_agreement":
            r"(?:mutual\w*|written) (?:agreement|consent)|agreement of (?:both|the) parties|both parties agree"
            r"|parties (?:may )?agree|signed by both|supplementary agreement|addendum|by agreement|upon agreement"
            r"|at the (?:request|option|election) of the {CUSTOMER}|{CUSTOMER} (?:may|can) (?:renew|extend)"
            r"|{CUSTOMER} 's (?:request|option|election)",
        "renewal_period":
            r"(?:{RENEW}|continu\w*) <6>(?:for|by) (?:a |an |one )?(?:\w+ ){0,3}(?:period|term)s? of (?P<q>#dur)"
            r"|(?:{RENEW}|continu\w*) <6>(?:for|by) (?:a |an |the |each )?(?:further |additional |successive |"
            r"subsequent |consecutive |another |like |similar |renewal )*(?P<q>#dur)"
            r"|(?:successive|subsequent|consecutive|further|additional|renewal|like|another|each) (?P<q>#dur) "
            r"(?:period|term|renewal)s?"
            r"|(?:next|following|further|subsequent|successive|another|additional) (?:calendar |contract )?"
            r"(?P<unit>year|month)",
        "deadline": r"(?:by|before|until|not later than|no later than|prior to) (?:the )?(?P<d>#date)",
        "same_period": r"(?:same|like|equal|identical|similar|initial|original|equivalent) (?:period|term|duration)",
        "initial_term":
            r"(?:term|period|duration) (?:of|is|shall be|will be|equals|lasts) (?:\w+ ){0,2}(?P<q>#dur)"
            r"|for (?:a |an |the )?(?:initial |fixed |minimum |firm )?(?:term |period )?(?:of )?(?P<q>#dur)"
            r"|(?P<q>#dur) (?:initial |minimum |fixed )?(?:term|period)",
        "yearly": r"year (?:- )?to (?:- )?year|annual\w*|each year|every year|yearly|(?:each|every) calendar year",
        "monthly": r"month (?:- )?to (?:- )?month|monthly|each month|every month",
        "no_refusal":
            r"{CUSTOMER} (?:\w+ ){0,2}(?:not|cannot|never) <3>(?:refus\w*|terminat\w*|cancel\w*|opt\w*|object\w*|"
            r"prevent\w*|declin\w*|reject\w*|stop\w*|avoid\w*)"
            r"|(?:cannot|not) be (?:refused|terminated|cancell?ed|declined|rejected|prevented)"
            r"|(?:only|solely) (?:the )?{CARRIER} <5>(?:terminat\w*|refus\w*|prevent\w*|cancel\w*|notice|"
            r"not to renew|declin\w*|opt\w*|elect\w*|decid\w*|choose|not)"
            r"|(?:terminat\w*|refus\w*|cancel\w*|renew\w*|extend\w*|non-renewal) <8>(?:only|solely|exclusively) "
            r"(?:to |by |with )?(?:the )?{CARRIER}"
            r"|without (?:the |any )?(?:right|option|possibility) (?:of|to) <2>(?:refus\w*|terminat\w*|opt\w*|"
            r"cancel\w*)|irrevocabl\w*",
    })
