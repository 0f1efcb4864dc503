using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using ClonusCds.Core.Triage;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>The plain-language summary is built from the answer itself and never says more or less.</summary>
public sealed class AssessmentSummaryTests
{
    [Fact]
    public void Mild_serotonin_toxicity_reads_as_mild_and_urgent()
    {
        var a = Engine.Assess(MildSerotoninToxicity());
        Assert.Equal("Serotonin toxicity (Hunter criteria met, mild) — urgent", a.Summary.Headline);
    }

    [Fact]
    public void A_dangerous_cause_not_excluded_is_named_in_the_text_and_the_markdown()
    {
        var a = Engine.Assess(Nms().WithExam(e => e with { MentalStatus = MentalStatus.Confused }));
        Assert.Contains(a.Etiology.Differentials, d => d.NotExcluded);
        Assert.Contains("Not excluded: ", a.Summary.Text, StringComparison.Ordinal);
        Assert.Contains("CNS infection or sepsis", a.Summary.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_fields_are_listed_in_order_as_code()
    {
        var a = Engine.Assess(HunterUndetermined());
        Assert.NotEmpty(a.MissingData);
        Assert.Equal(a.MissingData.Select(m => m.Field), a.Summary.Missing);
        Assert.Contains("**Missing:** `" + a.MissingData[0].Field + "`", a.Summary.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_pitfall_lists_are_cut_in_the_text_but_whole_in_the_array()
    {
        var a = Engine.Assess(SevereSerotoninToxicity());
        Assert.True(a.Pitfalls.Count > AssessmentSummaryBuilder.PitfallsInText);
        Assert.Equal(a.Pitfalls.Count, a.Summary.KeyPitfalls.Count);
        Assert.Contains($"and {a.Pitfalls.Count - AssessmentSummaryBuilder.PitfallsInText} more", a.Summary.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(a.Pitfalls[^1].Title, a.Summary.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_first_line_group_gives_no_do_first_heading()
    {
        var a = Engine.Assess(new PatientContext());
        Assert.Equal(a.Recommendations.FirstLine.Count == 0, !a.Summary.Markdown.Contains("**Do first:**", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_etiology_and_subtype_has_its_own_words()
    {
        foreach (var e in Enum.GetValues<Etiology>())
        {
            Assert.False(string.IsNullOrWhiteSpace(AssessmentSummaryBuilder.EtiologyText(e, null, null)));
        }

        var subtypes = Enum.GetValues<EtiologySubtype>().Where(s => s is not EtiologySubtype.OtherMetabolic and not EtiologySubtype.CnsInfectionOrSepsis)
            .Select(s => AssessmentSummaryBuilder.EtiologyText(Etiology.IndeterminateNeedsEvaluation, s, null)).ToList();
        Assert.Equal(subtypes.Count, subtypes.Distinct().Count());
    }

    [Fact]
    public void The_markdown_opens_with_the_same_lead_line_the_triage_card_uses()
    {
        var a = Engine.Assess(SevereSerotoninToxicity());
        var cause = AssessmentSummaryBuilder.EtiologyText(a.Etiology.Primary, a.Etiology.Subtype, a.SerotoninToxicity?.Severity);
        Assert.StartsWith(AssessmentSummaryBuilder.LeadLine(cause, a.Urgency) + "\n\n", a.Summary.Markdown, StringComparison.Ordinal);
    }
}
