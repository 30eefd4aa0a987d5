import pytest


@pytest.fixture
def codes(world):
    """The codes of a member of consortium A1x and of an institution outside it, in county A1."""
    inside = world.consortium_a1x.lead_hospital.code
    return inside, world.outside_a1.code
