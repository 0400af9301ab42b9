from . import hr_employee_timesheet_cost_wizard
