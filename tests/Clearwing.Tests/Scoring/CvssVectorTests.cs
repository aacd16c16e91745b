using Clearwing.Scoring;

namespace Clearwing.Tests.Scoring;

public sealed class CvssVectorTests
{
    const string Base31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    const string Base40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

    [Theory]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "A", null)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q", "A", "Q")]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:H", "ZZ", "H")]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L", "AV", "L")]
    [InlineData("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:POC", "E", "POC")]
    [InlineData("CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "AV", "N")]
    [InlineData("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N", "SI", "S")]
    [InlineData("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:clear", "U", "clear")]
    [InlineData("CVSS:3.2/AV:N", "CVSS", "3.2")]
    [InlineData("AV:N/AC:L/Au:N/C:P/I:P", "A", null)]
    [InlineData("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:X", "E", "X")]
    public void An_invalid_vector_is_rejected_naming_the_metric_and_value(string vector, string metric, string? value)
    {
        var e = Assert.Throws<CvssFormatException>(() => CvssVector.Parse(vector));
        Assert.Equal(metric, e.Metric);
        Assert.Equal(value, e.Value);
        Assert.Contains(metric, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("CVSS:3.1/")]
    [InlineData(Base31 + "/")]
    [InlineData("CVSS:3.1/AV:N//AC:L")]
    [InlineData("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]
    public void Empty_or_malformed_vectors_are_rejected(string vector) =>
        Assert.Throws<CvssFormatException>(() => CvssVector.Parse(vector));

    [Fact]
    public void A_3x_vector_in_any_order_is_accepted_and_printed_in_the_specifications_order()
    {
        var v = CvssVector.Parse("CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X");
        Assert.Equal("CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/E:F/RL:X", v.ToString());
        Assert.Equal("F", v["E"]);
        Assert.Null(v["RC"]);
    }

    [Fact]
    public void A_2_0_vector_may_come_in_parentheses_as_nvd_wrote_them()
    {
        var v = CvssVector.Parse("(AV:N/AC:L/Au:N/C:P/I:P/A:P)");
        Assert.Equal(CvssVersion.V2_0, v.Version);
        Assert.Equal("AV:N/AC:L/Au:N/C:P/I:P/A:P", v.ToString());
        Assert.Equal(7.5m, CvssCalculator.Score(v).Score);
    }

    [Theory]
    [InlineData(Base31, 9.8, CvssSeverity.Critical, "Base")]
    [InlineData(Base31 + "/E:U", 9.0, CvssSeverity.Critical, "Temporal")]
    [InlineData(Base31 + "/E:X/RL:X/RC:X", 9.8, CvssSeverity.Critical, "Base")]
    [InlineData(Base31 + "/MAV:P", 6.8, CvssSeverity.Medium, "Environmental")]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, CvssSeverity.None, "Base")]
    [InlineData("AV:N/AC:L/Au:N/C:N/I:N/A:N", 0.0, CvssSeverity.Low, "Base")]
    [InlineData(Base40, 9.3, CvssSeverity.Critical, "CVSS-B")]
    [InlineData(Base40 + "/E:X/CR:X/S:P/U:Red", 9.3, CvssSeverity.Critical, "CVSS-B")]
    public void The_score_severity_and_nomenclature_follow_the_metric_groups_the_vector_defines(string vector, double score, CvssSeverity severity, string nomenclature)
    {
        var r = CvssCalculator.Score(vector);
        Assert.Equal((decimal)score, r.Score);
        Assert.Equal(severity, r.Severity);
        Assert.Equal(nomenclature, r.Nomenclature);
    }

    [Theory]
    [InlineData(Base40 + "/E:U", "CVSS-BT")]
    [InlineData(Base40 + "/CR:L", "CVSS-BE")]
    [InlineData(Base40 + "/MSI:S", "CVSS-BE")]
    [InlineData(Base40 + "/E:P/MAV:L", "CVSS-BTE")]
    [InlineData(Base40 + "/E:X/MAV:X/AU:Y", "CVSS-B")]
    public void A_4_0_score_is_named_by_the_groups_it_includes_and_supplemental_metrics_do_not_count(string vector, string nomenclature) =>
        Assert.Equal(nomenclature, CvssCalculator.Score(vector).Nomenclature);
}
