from . import test_client_statement
from . import test_profitability
from . import test_statement_wizard
from . import test_tour
from . import test_print_from_web_client
from . import test_statement_agrees
from . import test_service_review
from . import test_page_numbers
