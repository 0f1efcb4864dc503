using System.Net;
using System.Text.RegularExpressions;
using ClonusCds.Api.Infrastructure;

namespace ClonusCds.Api.Tests;

/// <summary>The clinician page at / and the worked-examples route it uses (browser tests: tests/ClonusCds.Browser.Tests).</summary>
public sealed partial class ClinicianPageTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task The_root_serves_the_clinician_page_under_its_strict_policy()
    {
        var response = await _client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SecurityHeaders.PagePolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.DoesNotContain("unsafe-inline", SecurityHeaders.PagePolicy, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/swagger\">", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/index.html")]
    [InlineData("/assets/app.js")]
    [InlineData("/assets/render.js")]
    [InlineData("/assets/form.js")]
    [InlineData("/assets/knowledge.js")]
    [InlineData("/assets/api.js")]
    [InlineData("/assets/dom.js")]
    [InlineData("/assets/clonus.css")]
    public async Task Page_files_have_nothing_the_policy_would_block(string path)
    {
        var response = await _client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SecurityHeaders.PagePolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        // No inline script, style attribute or element, or event-handler attribute; data never parsed as HTML.
        Assert.DoesNotMatch(InlineScript(), text);
        Assert.DoesNotMatch(InlineHandlerOrStyle(), text);
        Assert.DoesNotContain("innerHTML", text, StringComparison.Ordinal);
        Assert.DoesNotContain("insertAdjacentHTML", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swagger_still_answers()
    {
        var response = await _client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Examples_route_lists_every_worked_example_as_a_request_that_assesses()
    {
        var (response, doc) = await _client.GetJson("/api/v1/examples");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SecurityHeaders.ApiPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        var examples = doc.EnumerateArray().ToList();
        Assert.Equal(7, examples.Count);
        Assert.Equal("01-serotonin-toxicity-severe", examples[0].GetProperty("id").GetString());
        Assert.StartsWith("Serotonin toxicity (severe)", examples[0].GetProperty("title").GetString(), StringComparison.Ordinal);
        foreach (var example in examples)
        {
            Assert.False(string.IsNullOrWhiteSpace(example.GetProperty("description").GetString()));
            var assessed = await _client.PostAsync("/api/v1/assessments", Http.Json(example.GetProperty("request").GetRawText()));
            Assert.Equal(HttpStatusCode.OK, assessed.StatusCode);
        }
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<[^>]+\s(on[a-z]+|style)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandlerOrStyle();
}
