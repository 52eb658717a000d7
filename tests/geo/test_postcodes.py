import pytest

from linkwell.geo.demo import SAMPLE
from linkwell.geo.onspd import OnspdError
from linkwell.geo.postcodes import locate
from linkwell.geo.services import import_onspd

pytestmark = pytest.mark.django_db


def test_the_demo_sample_loads_and_an_exact_postcode_is_found():
    assert import_onspd(path=SAMPLE) > 40
    place = locate("ls6 1ab")
    assert place.exact and place.postcode == "LS6 1AB" and place.note == ""
    assert 53.8 < place.latitude < 53.84 and -1.6 < place.longitude < -1.55


def test_an_unknown_postcode_falls_back_to_its_district_and_says_so():
    import_onspd(path=SAMPLE)
    place = locate("LS6 9ZZ")
    assert not place.exact
    assert "middle of LS6" in place.note
    exact = locate("LS16 5JK")
    assert abs(place.latitude - exact.latitude) > 0.01  # the LS6 middle, not LS16's


def test_an_unknown_district_has_no_place():
    import_onspd(path=SAMPLE)
    assert locate("ZE1 0AA") is None


def test_terminated_and_ungridded_postcodes_are_skipped(tmp_path):
    onspd = tmp_path / "onspd.csv"
    onspd.write_text(
        "pcd,pcds,doterm,lat,long\n"
        '"LS1 1AA","LS1 1AA","",53.8,-1.5\n'
        '"LS1 1AB","LS1 1AB","201001",53.8,-1.5\n'
        '"LS1 1AD","LS1 1AD","",99.999999,0.000000\n'
    )
    assert import_onspd(path=onspd) == 1
    assert locate("LS1 1AA").exact and not locate("LS1 1AB").exact


def test_a_file_that_is_not_onspd_is_refused_with_the_columns_it_needs(tmp_path):
    wrong = tmp_path / "x.csv"
    wrong.write_text("postcode,x,y\nLS1 1AA,1,2\n")
    with pytest.raises(OnspdError, match="pcds"):
        import_onspd(path=wrong)


def test_the_geo_import_command(tmp_path, capsys):
    from django.core.management import call_command

    call_command("geo", "import", str(SAMPLE))
    assert "postcode centroids" in capsys.readouterr().out


def test_the_lsoa_is_read_preferring_the_2011_column(tmp_path):
    """English IMD 2019 is on 2011 LSOAs, so lsoa11 wins over lsoa21 when a file has both."""
    from linkwell.geo.models import PostcodeCentroid

    both = tmp_path / "both.csv"
    both.write_text(
        "pcds,doterm,lat,long,lsoa11,lsoa21\n"
        "LS6 1AB,,53.8,-1.5,E01011701,E01035001\n"
        "LS6 1AD,,53.8,-1.5,,\n"
    )
    assert import_onspd(path=both) == 2
    assert PostcodeCentroid.objects.get(postcode="LS6 1AB").lsoa == "E01011701"
    assert PostcodeCentroid.objects.get(postcode="LS6 1AD").lsoa == ""
    only_2021 = tmp_path / "lsoa21.csv"
    only_2021.write_text("pcds,doterm,lat,long,LSOA21\nLS6 1AB,,53.8,-1.5,E01035001\n")
    import_onspd(path=only_2021)
    assert PostcodeCentroid.objects.get(postcode="LS6 1AB").lsoa == "E01035001"


def test_a_file_without_an_lsoa_column_loads_with_none():
    from linkwell.geo.models import PostcodeCentroid

    import_onspd(path=SAMPLE)
    assert not PostcodeCentroid.objects.exclude(lsoa="").exists()
