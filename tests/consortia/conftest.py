import pytest

from tests.budgets.conftest import County


@pytest.fixture
def county(db):
    """A county with a bureau and consortia built from golden scenarios (as in tests/budgets)."""
    return County()
