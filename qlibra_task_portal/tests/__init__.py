from . import test_portal_access
from . import test_portal_page
from . import test_portal_statement
from . import test_portal_tour
