from . import test_contract
from . import test_timesheet_cost
from . import test_revenue
from . import test_profitability_report
from . import test_partner_figures
from . import test_access
from . import test_warnings
from . import test_i18n
