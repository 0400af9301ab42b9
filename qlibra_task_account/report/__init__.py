from . import qlibra_profitability_report
from . import profitability
from . import profitability_xlsx
from . import client_statement
from . import client_statement_xlsx
