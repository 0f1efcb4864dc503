using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using ClonusCds.Core.Vocabulary;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Placing EHR medications and conditions in the engine's vocabularies: RxCUI (ingredient or product),
/// brand and generic names as whole words, ICD-10-CM by prefix, SNOMED CT by concept id, display text by
/// whole-phrase keywords; anything else is reported back, never guessed.
/// </summary>
public sealed class VocabularyTests
{
    private static List<DrugMatch> Drugs(string? rxcui, string? name)
    {
        var matches = new List<DrugMatch>();
        var n = Engine.Kb.DrugVocabulary.Match(rxcui, name, matches);
        Assert.Equal(n, matches.Count);
        return matches;
    }

    private static ConditionCategory? Category(ConditionEntry condition) => Engine.Kb.ConditionVocabulary.Match(condition)?.Category;

    // Medications.

    [Fact]
    public void Sertraline_is_matched_by_its_ingredient_rxcui()
    {
        var m = Assert.Single(Drugs("36437", null));
        Assert.Equal("sertraline", m.Drug.Name);
        Assert.Equal(DrugMatchKind.Rxcui, m.Kind);
    }

    [Fact]
    public void Tramadol_is_matched_by_a_product_rxcui()
    {
        var m = Assert.Single(Drugs("835603", null));
        Assert.Equal("tramadol", m.Drug.Name);
        Assert.Equal(DrugMatchKind.ProductRxcui, m.Kind);
    }

    [Theory]
    [InlineData("ZOLOFT", "sertraline")]
    [InlineData("zOlOfT", "sertraline")]
    [InlineData("Ultram 50 mg", "tramadol")]
    [InlineData("Prozac 20mg capsule", "fluoxetine")]
    [InlineData("Zyvox 600 mg IV", "linezolid")]
    public void Brand_names_match_case_insensitively(string text, string drug)
    {
        var m = Assert.Single(Drugs(null, text));
        Assert.Equal(drug, m.Drug.Name);
        Assert.Equal(DrugMatchKind.Brand, m.Kind);
    }

    [Theory]
    [InlineData("sertraline 50 mg tablet", "sertraline")]
    [InlineData("SERTRALINE HYDROCHLORIDE 100MG", "sertraline")]
    [InlineData("St. John's Wort extract", "st john's wort")]
    [InlineData("pethidine 50 mg IM", "meperidine")]
    [InlineData("tizanidine 4 mg at night", "tizanidine")]
    public void Generic_names_and_synonyms_match_inside_free_text(string text, string drug)
    {
        var m = Assert.Single(Drugs(null, text));
        Assert.Equal(drug, m.Drug.Name);
        Assert.Equal(DrugMatchKind.Name, m.Kind);
    }

    [Fact]
    public void A_combination_product_matches_every_ingredient_it_names()
    {
        var names = Drugs(null, "tramadol hydrochloride / acetaminophen 37.5 mg/325 mg").Select(m => m.Drug.Name).ToList();
        Assert.Equal(["tramadol", "acetaminophen"], names);
    }

    [Fact]
    public void Two_drugs_named_in_one_entry_are_both_matched()
    {
        var names = Drugs(null, "sertraline and lithium").Select(m => m.Drug.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["lithium", "sertraline"], names);
    }

    [Fact]
    public void The_longest_name_wins_over_a_shorter_one_inside_it()
    {
        var m = Assert.Single(Drugs(null, "Lithium carbonate 400 mg modified release"));
        Assert.Equal("lithium carbonate", m.Drug.Name);
    }

    [Fact]
    public void Rxcui_and_name_for_the_same_drug_give_one_match()
    {
        var m = Assert.Single(Drugs("36437", "Zoloft 50 mg"));
        Assert.Equal(DrugMatchKind.Rxcui, m.Kind);
    }

    [Fact]
    public void An_unknown_rxcui_falls_back_to_the_name()
    {
        // The brief's "sertraline 42347" is a wrong code found in application repositories.
        var m = Assert.Single(Drugs("42347", "sertraline"));
        Assert.Equal("sertraline", m.Drug.Name);
        Assert.Equal(DrugMatchKind.Name, m.Kind);
    }

    [Theory]
    [InlineData("Lithiumorex 300 mg")]
    [InlineData("prolithium")]
    [InlineData("nonsertraline")]
    [InlineData("Zoloftex")]
    [InlineData("tramadolo 50")]
    [InlineData("baclofenine")]
    public void Names_never_match_inside_another_word(string text)
    {
        Assert.Empty(Drugs(null, text));
    }

    [Fact]
    public void A_made_up_word_containing_lithium_is_reported_unrecognised_not_as_lithium()
    {
        var a = Engine.Assess(HunterNegative() with { Medications = [Med("Xylithiumol 5 mg")] });
        var u = Assert.Single(a.UnrecognizedInputs);
        Assert.Equal("medications[0]", u.Path);
        Assert.Null(a.SerotoninToxicity);
        Assert.DoesNotContain("labs.lithiumMmolPerL", a.MissingFields());
    }

    [Fact]
    public void Unknown_medication_names_are_listed_with_their_path()
    {
        var a = Engine.Assess(HunterNegative() with { Medications = [Med("sertraline", "36437"), Med("Zorbloxin 10 mg"), Med("tramadol")] });
        var u = Assert.Single(a.UnrecognizedInputs);
        Assert.Equal("medication", u.Kind);
        Assert.Equal("medications[1]", u.Path);
        Assert.Equal("Zorbloxin 10 mg", u.Value);
        Assert.False(string.IsNullOrWhiteSpace(u.Reason));
        Assert.Equal(2, a.SerotoninToxicity!.SerotonergicAgents.Count);
        Assert.Contains(a.SerotoninToxicity.SerotonergicAgents, s => s is { Name: "tramadol", MedicationIndex: 2 });
    }

    [Fact]
    public void Recognised_medications_are_not_reported_unrecognised()
    {
        var a = Engine.Assess(HunterNegative() with { Medications = [Med("ZOLOFT"), Med("x", "835603")] });
        Assert.Empty(a.UnrecognizedInputs);
        var agents = a.SerotoninToxicity!.SerotonergicAgents;
        Assert.Contains(agents, s => s is { Name: "sertraline", MatchedBy: "brand_name" });
        Assert.Contains(agents, s => s is { Name: "tramadol", MatchedBy: "product_rxcui" });
    }

    [Fact]
    public void Normalize_lower_cases_and_collapses_punctuation()
    {
        Assert.Equal("st john s wort 300 mg", DrugVocabulary.Normalize("  St. John's-Wort,  300 mg "));
    }

    // Conditions.

    [Theory]
    [InlineData(ConditionCategory.Stroke)]
    [InlineData(ConditionCategory.MultipleSclerosis)]
    [InlineData(ConditionCategory.HepaticEncephalopathy)]
    [InlineData(ConditionCategory.Other)]
    public void Conditions_are_placed_by_category(ConditionCategory category)
    {
        Assert.Equal(category, Category(new ConditionEntry { Category = category }));
    }

    [Theory]
    [InlineData("G35.A", ConditionCategory.MultipleSclerosis)]
    [InlineData("G35A", ConditionCategory.MultipleSclerosis)]
    [InlineData("g35.a", ConditionCategory.MultipleSclerosis)]
    [InlineData("G35", ConditionCategory.MultipleSclerosis)]
    [InlineData("I69.351", ConditionCategory.Stroke)]
    [InlineData("I69351", ConditionCategory.Stroke)]
    [InlineData("S14.109A", ConditionCategory.SpinalCordInjury)]
    [InlineData("S14109A", ConditionCategory.SpinalCordInjury)]
    [InlineData("K76.82", ConditionCategory.HepaticEncephalopathy)]
    [InlineData("N18.6", ConditionCategory.ChronicKidneyDisease)]
    public void Icd10cm_codes_are_placed_by_prefix_with_or_without_dots(string code, ConditionCategory category)
    {
        Assert.Equal(category, Category(new ConditionEntry { Code = code, System = ConditionVocabulary.Icd10Cm }));
        Assert.Equal(category, Category(new ConditionEntry { Code = code }));
    }

    [Fact]
    public void An_icd10cm_code_outside_every_prefix_is_not_placed()
    {
        Assert.Null(Category(new ConditionEntry { Code = "S14.2XXA", System = ConditionVocabulary.Icd10Cm }));
        Assert.Null(Category(new ConditionEntry { Code = "Z00.00", System = ConditionVocabulary.Icd10Cm }));
    }

    [Fact]
    public void Snomed_codes_are_placed_by_concept_id()
    {
        Assert.Equal(ConditionCategory.MultipleSclerosis, Category(new ConditionEntry { Code = "24700007", System = ConditionVocabulary.Snomed }));
        Assert.Equal(ConditionCategory.MultipleSclerosis, Category(new ConditionEntry { Code = "24700007" }));
    }

    [Fact]
    public void An_icd_code_sent_under_the_snomed_system_is_not_read_as_icd()
    {
        Assert.Null(Category(new ConditionEntry { Code = "G35", System = ConditionVocabulary.Snomed }));
    }

    [Theory]
    [InlineData("history of cerebrovascular accident", ConditionCategory.Stroke)]
    [InlineData("H/O CVA 2019", ConditionCategory.Stroke)]
    [InlineData("Relapsing-remitting multiple sclerosis", ConditionCategory.MultipleSclerosis)]
    [InlineData("C5 incomplete spinal cord injury", ConditionCategory.SpinalCordInjury)]
    [InlineData("Alcohol-related liver failure", ConditionCategory.HepaticFailure)]
    public void Display_text_is_placed_by_keyword(string display, ConditionCategory category)
    {
        Assert.Equal(category, Category(new ConditionEntry { Display = display }));
    }

    [Theory]
    [InlineData("Sciatica")]
    [InlineData("Strokes of luck")]
    [InlineData("Osteoarthritis of knee")]
    public void Display_keywords_match_whole_words_only(string display)
    {
        Assert.Null(Category(new ConditionEntry { Display = display }));
    }

    [Fact]
    public void A_category_wins_over_a_conflicting_code()
    {
        Assert.Equal(ConditionCategory.Stroke, Category(new ConditionEntry { Category = ConditionCategory.Stroke, Code = "G35" }));
    }

    [Fact]
    public void An_unknown_code_falls_back_to_the_display_text()
    {
        Assert.Equal(ConditionCategory.Stroke, Category(new ConditionEntry { Code = "99999999", System = ConditionVocabulary.Snomed, Display = "old stroke" }));
    }

    [Fact]
    public void Unknown_conditions_are_listed_with_their_path()
    {
        var a = Engine.Assess(KnownUmn() with
        {
            Conditions = [Condition(ConditionCategory.MultipleSclerosis), new ConditionEntry { Code = "Z00.00", System = ConditionVocabulary.Icd10Cm, Display = "General exam" }],
        });
        var u = Assert.Single(a.UnrecognizedInputs);
        Assert.Equal("condition", u.Kind);
        Assert.Equal("conditions[1]", u.Path);
        Assert.Equal("General exam", u.Value);
        Assert.Equal(Etiology.UmnLesion, a.Etiology.Primary);
    }

    [Fact]
    public void A_stroke_sent_only_as_an_icd_code_drives_the_stroke_pathway()
    {
        var a = Engine.Assess(KnownUmn() with { Conditions = [new ConditionEntry { Code = "I69.351", System = ConditionVocabulary.Icd10Cm, Onset = ConditionOnset.Chronic }] });
        Assert.Equal(Etiology.UmnLesion, a.Etiology.Primary);
        Assert.Contains("baclofen_trial_with_stroke_caution", a.AllCodes());
        Assert.DoesNotContain("baclofen_first_line", a.AllCodes());
    }

    [Fact]
    public void Esrd_by_code_counts_as_severe_renal_impairment_for_baclofen()
    {
        var a = Engine.Assess(KnownUmn().WithPatient(p => p with { Egfr = null })
            .AddConditions(new ConditionEntry { Code = "N18.6", System = ConditionVocabulary.Icd10Cm }));
        Assert.DoesNotContain("baclofen_first_line", a.AllCodes());
        Assert.Contains("renal_impairment_severe", a.CautionsOn("baclofen_renal_dose_reduction_or_avoid"));
    }
}
