from . import ir_actions_report
from . import res_partner
