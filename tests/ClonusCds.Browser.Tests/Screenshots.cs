using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClonusCds.Browser.Tests;

/// <summary>
/// The screenshots in docs/images, regenerated on request:
/// <c>CLONUS_SCREENSHOTS=1 dotnet test tests/ClonusCds.Browser.Tests --filter FullyQualifiedName~Screenshots</c>.
/// Without the variable the test only checks that the page renders what the pictures show.
/// </summary>
[Collection(ClinicianPage.Name)]
public sealed class Screenshots(PageFixture fixture)
{
    private static readonly bool Write = Environment.GetEnvironmentVariable("CLONUS_SCREENSHOTS") == "1";

    [Fact]
    public async Task Screenshots_of_an_answer_and_the_knowledge_base_are_written_when_asked()
    {
        var page = await fixture.OpenAsync(new ViewportSize { Width = 1400, Height = 1000 });
        await page.SelectOptionAsync("#example-select", "01-serotonin-toxicity-severe");
        await page.ClickAsync("#run-example");
        await Expect(page.Locator("#urgency-badge")).ToHaveTextAsync("Emergency");
        await Save(page, "clinician-page-assessment.png", fullPage: false);

        // What prints: the answer alone, without the form and the navigation.
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await Expect(page.Locator("#assess-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#urgency-badge")).ToBeVisibleAsync();
        await Save(page, "clinician-page-print.png", fullPage: false);
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Screen });

        await page.ClickAsync("#tab-knowledge");
        await page.FillAsync("#kb-filter", "cyproheptadine");
        await Expect(page.Locator("#kb-recs li[data-code='cyproheptadine']")).ToBeVisibleAsync();
        await Save(page, "clinician-page-knowledge.png", fullPage: false);
        await page.Context.CloseAsync();
    }

    private static async Task Save(IPage page, string name, bool fullPage)
    {
        if (!Write)
        {
            return;
        }

        var path = Path.Combine(RepositoryRoot(), "docs", "images", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClonusCds.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ClonusCds.sln not found above the test output folder.");
    }
}
