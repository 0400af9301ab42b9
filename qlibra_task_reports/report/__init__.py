from . import qlibra_report_period
from . import report_xlsx_abstract
from . import client_statement
from . import client_statement_xlsx
from . import profitability
from . import profitability_xlsx
from . import service_review
