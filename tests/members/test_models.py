import pytest
from django.core.exceptions import ValidationError

from tests.factories import MemberFactory, UserFactory, make_ipi

pytestmark = pytest.mark.django_db


def test_member_kinds_are_validated_and_ordered():
    member = MemberFactory.build(kinds=["publisher", "author", "author"], user=UserFactory())
    member.member_number = "M-unique"
    member.ipi_name_number = make_ipi(77)
    member.full_clean()
    assert member.kinds == ["author", "publisher"]


@pytest.mark.parametrize("kinds", [[], ["singer"]])
def test_member_kinds_refused(kinds):
    member = MemberFactory()
    member.kinds = kinds
    with pytest.raises(ValidationError) as err:
        member.full_clean()
    assert "kinds" in err.value.message_dict


@pytest.mark.parametrize(
    ("ipi", "code"),
    [("00130568297", "check_digit"), ("0013056829A", "malformed"), ("001305682960", "malformed")],
)
def test_member_ipi_refused(ipi, code):
    member = MemberFactory()
    member.ipi_name_number = ipi
    with pytest.raises(ValidationError) as err:
        member.full_clean()
    assert err.value.error_dict["ipi_name_number"][0].code == code
