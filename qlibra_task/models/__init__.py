from . import res_company
from . import res_config_settings
from . import qlibra_contract
from . import project_project
from . import project_task
from . import account_analytic_line
from . import hr_employee
from . import res_partner
