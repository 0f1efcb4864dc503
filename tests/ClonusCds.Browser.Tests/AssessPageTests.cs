using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClonusCds.Browser.Tests;

/// <summary>The Assess tab as a clinician uses it: worked examples, the form, errors, sources.</summary>
[Collection(ClinicianPage.Name)]
public sealed class AssessPageTests(PageFixture fixture)
{
    private static async Task RunExample(IPage page, string id)
    {
        await page.SelectOptionAsync("#example-select", id);
        await page.ClickAsync("#run-example");
        await Expect(page.Locator("#urgency-badge")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Severe_serotonin_toxicity_example_shows_an_emergency_with_first_line_treatment_hunter_agents_and_a_source()
    {
        var page = await fixture.OpenAsync();
        await RunExample(page, "01-serotonin-toxicity-severe");

        await Expect(page.Locator("#urgency-badge")).ToHaveTextAsync("Emergency");
        await Expect(page.Locator("#summary-headline")).ToContainTextAsync("Serotonin toxicity (Hunter criteria met, severe)");
        await Expect(page.Locator("#summary .summary-first")).ToContainTextAsync("Stop all serotonergic agents");
        await Expect(page.Locator("#etiology")).ToContainTextAsync("Serotonin toxicity");
        var firstLine = page.Locator("#tier-firstLine");
        await Expect(firstLine.Locator(".item-title", new() { HasText = "Stop all serotonergic agents" })).ToBeVisibleAsync();
        await Expect(page.Locator("#hunter-met")).ToHaveTextAsync("met");
        await Expect(page.Locator("table.agents")).ToContainTextAsync("tramadol");
        await Expect(page.Locator("table.agents")).ToContainTextAsync("moderate");
        await Expect(page.Locator("#pitfalls")).ToContainTextAsync("restraint", new() { IgnoreCase = true });
        await Expect(page.Locator("#disclaimer")).ToContainTextAsync("not a substitute for clinical judgement");

        // A citation opens its source, loaded from GET /api/v1/knowledge/sources/{id}.
        var cite = firstLine.Locator("a.cite").First;
        var id = await cite.TextContentAsync();
        var href = await cite.GetAttributeAsync("href");
        Assert.Equal($"/api/v1/knowledge/sources/{id}", href);
        await cite.ClickAsync();
        await Expect(page.Locator("#source-dialog")).ToBeVisibleAsync();
        await Expect(page.Locator("#source-id")).ToHaveTextAsync(id!);
        await Expect(page.Locator("#source-title")).Not.ToHaveTextAsync(id!);
        var response = await page.APIRequest.GetAsync(href!);
        Assert.Equal(200, response.Status);
        await page.ClickAsync("#source-close");
        await Expect(page.Locator("#source-dialog")).ToBeHiddenAsync();

        // The rule trace is folded away, one click from view.
        var trace = page.Locator("#trace");
        await Expect(trace).Not.ToHaveAttributeAsync("open", "");
        await Expect(trace.Locator("table")).ToBeHiddenAsync();
        await trace.Locator("summary").ClickAsync();
        await Expect(trace.Locator("table")).ToContainTextAsync("HSTC-2");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Chronic_ms_example_is_routine_with_baclofen_first_line()
    {
        var page = await fixture.OpenAsync();
        await RunExample(page, "02-chronic-ms-clonus");

        await Expect(page.Locator("#urgency-badge")).ToHaveTextAsync("Routine");
        await Expect(page.Locator("#etiology")).ToContainTextAsync("Upper-motor-neuron lesion");
        await Expect(page.Locator("#tier-firstLine .item-title", new() { HasText = "Oral baclofen as first-line drug for UMN clonus" })).ToBeVisibleAsync();
        await Expect(page.Locator("#tier-firstLine .dosing").First).ToContainTextAsync("mg");
        await Expect(page.Locator("#pitfalls")).ToContainTextAsync("tizanidine", new() { IgnoreCase = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Nms_lookalike_example_names_the_subtype_and_does_not_call_it_serotonin_toxicity()
    {
        var page = await fixture.OpenAsync();
        await RunExample(page, "04-nms-lookalike");

        await Expect(page.Locator("#urgency-badge")).ToHaveTextAsync("Emergency");
        await Expect(page.Locator("#etiology")).ToContainTextAsync("Other drug toxicity");
        await Expect(page.Locator("#etiology .subtype")).ToHaveTextAsync("Neuroleptic malignant syndrome");
        await Expect(page.Locator("#differentials")).ToContainTextAsync("Possible masked serotonin toxicity");
        await Expect(page.Locator("#pitfalls li[data-code='do_not_label_as_serotonin_syndrome']")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Missing_data_example_is_urgent_and_lists_what_is_missing()
    {
        var page = await fixture.OpenAsync();
        await RunExample(page, "06-missing-data");

        await Expect(page.Locator("#urgency-badge")).ToHaveTextAsync("Urgent");
        await Expect(page.Locator("#tier-firstLine .item-title", new() { HasText = "Collateral medication history and toxicology screen" })).ToBeVisibleAsync();
        await Expect(page.Locator("#missing")).ToContainTextAsync("vitals.temperatureC");
        await Expect(page.Locator("#missing")).ToContainTextAsync("medications");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_form_assesses_a_patient_described_field_by_field()
    {
        var page = await fixture.OpenAsync();
        await page.FillAsync("#f-age", "34");
        await page.SelectOptionAsync("#f-present", "true");
        await page.CheckAsync("fieldset[data-path='clonus.types'] input[value='inducible']");
        await page.SelectOptionAsync("#f-onset", "acute");
        await page.FillAsync("#f-temp", "38.4");
        await page.SelectOptionAsync("#f-agitation", "true");
        await page.SelectOptionAsync("#f-diaphoresis", "true");
        await page.SelectOptionAsync("#f-tremor", "true");
        await page.SelectOptionAsync("#f-reflexes", "increased");
        await page.SelectOptionAsync("#f-tone", "normal");
        await page.FillAsync("#f-meds", "sertraline | active | unchanged\nUltram | active | new | 1");
        await page.ClickAsync("#run-form");

        await Expect(page.Locator("#urgency-badge")).ToHaveTextAsync("Emergency");
        await Expect(page.Locator("#etiology")).ToContainTextAsync("Serotonin toxicity");
        await Expect(page.Locator("table.agents")).ToContainTextAsync("tramadol");
        await Expect(page.Locator("#form-errors")).ToBeHiddenAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_impossible_temperature_is_explained_beside_the_field_and_nothing_is_assessed()
    {
        var page = await fixture.OpenAsync();
        await page.FillAsync("#f-temp", "150");
        await page.FillAsync("#f-hr", "400");
        await page.ClickAsync("#run-form");

        var temperature = page.Locator("#f-temp");
        await Expect(temperature).ToHaveAttributeAsync("aria-invalid", "true");
        var describedBy = await temperature.GetAttributeAsync("aria-describedby");
        var note = page.Locator($"#{describedBy!.Split(' ').Last()}");
        await Expect(note).ToContainTextAsync("between 25 and 45");
        await Expect(note).ToContainTextAsync("150");
        await Expect(page.Locator("#f-hr")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#form-errors")).ToBeVisibleAsync();
        await Expect(page.Locator("#form-errors")).ToContainTextAsync("vitals.temperatureC");
        await Expect(page.Locator("#urgency-badge")).ToHaveCountAsync(0);

        // Corrected, the same form assesses and the messages go.
        await page.FillAsync("#f-temp", "37");
        await page.FillAsync("#f-hr", "80");
        await page.ClickAsync("#run-form");
        await Expect(page.Locator("#urgency-badge")).ToBeVisibleAsync();
        await Expect(temperature).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator(".field-error")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_misspelt_field_in_the_advanced_json_box_is_explained_there()
    {
        var page = await fixture.OpenAsync();
        await page.ClickAsync("#advanced summary");
        await page.FillAsync("#raw-json", "{ \"clonus\": { \"present\": true }, \"vitals\": { \"temprature\": 39 } }");
        await page.ClickAsync("#run-json");

        await Expect(page.Locator("#json-errors")).ToBeVisibleAsync();
        await Expect(page.Locator("#json-errors")).ToContainTextAsync("Unknown property 'temprature'");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_page_is_served_under_a_strict_policy_and_runs_without_policy_violations()
    {
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.BaseUrl });
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);

        var response = await page.GotoAsync("/");
        await page.WaitForSelectorAsync("html[data-ready='true']");
        await Expect(page.Locator("#example-select option")).ToHaveCountAsync(7);
        await page.SelectOptionAsync("#example-select", "03-infant-startle-attacks");
        await page.ClickAsync("#run-example");
        await Expect(page.Locator("#urgency-badge")).ToHaveTextAsync("Emergency");
        await Expect(page.Locator("#tier-firstLine")).ToContainTextAsync("Video-EEG to classify the events");

        var csp = await response!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(csp);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Empty(problems);
        Assert.Matches(new Regex("<a href=\"/swagger\""), await page.ContentAsync());
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_bearer_token_is_sent_with_the_assessment_and_kept_only_in_memory()
    {
        var page = await fixture.OpenAsync();
        await page.ClickAsync("#connection summary");
        await page.FillAsync("#bearer-token", "token-for-this-test");
        await page.SelectOptionAsync("#example-select", "05-normal-variant");

        var request = await page.RunAndWaitForRequestAsync(() => page.ClickAsync("#run-example"), "**/api/v1/assessments");

        Assert.Equal("Bearer token-for-this-test", await request.HeaderValueAsync("authorization"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length"));
        Assert.DoesNotContain("token-for-this-test", page.Url, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task On_a_phone_the_answer_fits_the_screen_width_trace_included()
    {
        var page = await fixture.OpenAsync(new ViewportSize { Width = 390, Height = 844 });
        await RunExample(page, "04-nms-lookalike");
        await page.ClickAsync("#trace summary");
        await Expect(page.Locator("#trace table")).ToBeVisibleAsync();

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than a 390 px screen");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Tabs_are_reached_with_the_arrow_keys()
    {
        var page = await fixture.OpenAsync();
        await page.FocusAsync("#tab-assess");
        await page.Keyboard.PressAsync("ArrowRight");

        await Expect(page.Locator("#tab-knowledge")).ToBeFocusedAsync();
        await Expect(page.Locator("#tab-knowledge")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.Locator("#panel-knowledge")).ToBeVisibleAsync();
        await Expect(page.Locator("#panel-assess")).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("ArrowLeft");
        await Expect(page.Locator("#panel-assess")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
