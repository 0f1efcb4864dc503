using static Microsoft.Playwright.Assertions;

namespace ClonusCds.Browser.Tests;

/// <summary>The Knowledge base tab: recommendations, pitfalls, sources and agents with one filter.</summary>
[Collection(ClinicianPage.Name)]
public sealed class KnowledgePageTests(PageFixture fixture)
{
    [Fact]
    public async Task The_filter_finds_a_known_recommendation_source_and_agent()
    {
        var page = await fixture.OpenAsync();
        await page.ClickAsync("#tab-knowledge");
        await Expect(page.Locator("#kb-recs li[data-code='baclofen_first_line']")).ToBeVisibleAsync();

        await page.FillAsync("#kb-filter", "cyproheptadine");

        await Expect(page.Locator("#kb-recs li[data-code='cyproheptadine']")).ToBeVisibleAsync();
        await Expect(page.Locator("#kb-recs li[data-code='cyproheptadine'] .dosing")).ToContainTextAsync("12 mg");
        await Expect(page.Locator("#kb-recs li[data-code='baclofen_first_line']")).ToBeHiddenAsync();
        await Expect(page.Locator("#kb-status")).ToContainTextAsync("match “cyproheptadine”");

        await page.FillAsync("#kb-filter", "tramadol");
        await Expect(page.Locator("#kb-agents li:visible h4", new() { HasText = "tramadol" })).ToBeVisibleAsync();

        await page.FillAsync("#kb-filter", "Dunkley");
        await Expect(page.Locator("#kb-sources li:visible").First).ToContainTextAsync("Dunkley");
        await page.Context.CloseAsync();
    }
}
