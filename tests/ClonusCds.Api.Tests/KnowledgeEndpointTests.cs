using System.Net;

namespace ClonusCds.Api.Tests;

public sealed class KnowledgeEndpointTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Summary_gives_version_release_review_status_and_counts()
    {
        var (response, body) = await _client.GetJson("/api/v1/knowledge");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2026.12.3", body.GetProperty("version").GetString());
        Assert.Equal("draft_pending_clinical_signoff", body.GetProperty("reviewStatus").GetString());
        Assert.True(body.GetProperty("counts").GetProperty("recommendations").GetInt32() >= 56);
        Assert.True(body.GetProperty("counts").GetProperty("pitfalls").GetInt32() >= 29);
    }

    [Fact]
    public async Task Every_listed_recommendation_is_retrievable_by_code_with_citations()
    {
        var (_, list) = await _client.GetJson("/api/v1/knowledge/recommendations");
        var codes = list.EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToList();
        Assert.Contains("cyproheptadine", codes);
        Assert.Contains("no_antiepileptic_without_eeg", codes);
        foreach (var code in codes)
        {
            var (response, item) = await _client.GetJson($"/api/v1/knowledge/recommendations/{code}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEmpty(item.GetProperty("citations").EnumerateArray());
        }
    }

    [Fact]
    public async Task Cyproheptadine_shows_its_dosing_and_the_source_conflict()
    {
        var (_, item) = await _client.GetJson("/api/v1/knowledge/recommendations/cyproheptadine");
        Assert.Contains("12 mg", item.GetProperty("dosing").GetString());
        Assert.Contains(item.GetProperty("cautions").EnumerateArray(), c => c.GetProperty("id").GetString() == "conflict_cyproheptadine_threshold");
    }

    [Fact]
    public async Task Unknown_code_and_source_are_404_problem_details()
    {
        foreach (var url in new[] { "/api/v1/knowledge/recommendations/no_such_code", "/api/v1/knowledge/sources/NOPE2099" })
        {
            var response = await _client.GetAsync(url);
            ErrorTests.AssertProblem(response, await Http.Read(response), 404);
        }
    }

    [Fact]
    public async Task Bibliography_holds_the_seeds_and_dunkley()
    {
        var (_, list) = await _client.GetJson("/api/v1/knowledge/sources");
        var ids = list.EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Contains("SEED-000", ids);
        Assert.Contains("SEED-001", ids);
        var (_, dunkley) = await _client.GetJson("/api/v1/knowledge/sources/DUNKLEY2003");
        Assert.Equal(2003, dunkley.GetProperty("year").GetInt32());
    }

    [Fact]
    public async Task Serotonergic_agents_list_names_rxcui_class_tier_and_brands()
    {
        var (_, list) = await _client.GetJson("/api/v1/knowledge/serotonergic-agents");
        var sertraline = list.EnumerateArray().Single(a => a.GetProperty("name").GetString() == "sertraline");
        Assert.Equal("36437", sertraline.GetProperty("rxcui").GetString());
        Assert.Equal("ssri", sertraline.GetProperty("class").GetString());
        Assert.Equal("standard", sertraline.GetProperty("riskTier").GetString());
        Assert.Contains("Zoloft", sertraline.GetProperty("brandNames").EnumerateArray().Select(b => b.GetString()));
        var linezolid = list.EnumerateArray().Single(a => a.GetProperty("name").GetString() == "linezolid");
        Assert.Equal("high", linezolid.GetProperty("riskTier").GetString());
        Assert.DoesNotContain(list.EnumerateArray(), a => a.GetProperty("name").GetString() == "baclofen");
    }

    [Fact]
    public async Task Condition_categories_carry_their_codes()
    {
        var (_, list) = await _client.GetJson("/api/v1/knowledge/conditions");
        var ms = list.EnumerateArray().Single(c => c.GetProperty("category").GetString() == "multiple_sclerosis");
        Assert.Contains("G35", ms.GetProperty("icd10cmPrefixes").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Health_live_and_ready_answer_with_the_knowledge_base_version()
    {
        var (live, _) = await _client.GetJson("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var (ready, body) = await _client.GetJson("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("2026.12.3", body.GetProperty("knowledgeBaseVersion").GetString());
    }

    [Fact]
    public async Task Drug_vocabulary_lists_both_tiers_with_roles_or_class()
    {
        var (response, list) = await _client.GetJson("/api/v1/knowledge/drugs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var drugs = list.EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!);
        var atorvastatin = drugs["atorvastatin"];
        Assert.Equal("not_implicated", atorvastatin.GetProperty("tier").GetString());
        Assert.Equal("statin", atorvastatin.GetProperty("class").GetString());
        Assert.Empty(atorvastatin.GetProperty("roles").EnumerateArray());
        Assert.Contains("Lipitor", atorvastatin.GetProperty("brandNames").EnumerateArray().Select(b => b.GetString()));
        var rasagiline = drugs["rasagiline"];
        Assert.Equal("rule_relevant", rasagiline.GetProperty("tier").GetString());
        Assert.Contains("dopaminergic", rasagiline.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(drugs.Values.Count(d => d.GetProperty("tier").GetString() == "not_implicated") >= 200);

        // The existing routes keep their shapes: the serotonergic list holds no not-implicated drug.
        var (_, agents) = await _client.GetJson("/api/v1/knowledge/serotonergic-agents");
        Assert.DoesNotContain(agents.EnumerateArray(), a => a.GetProperty("name").GetString() == "atorvastatin");
        Assert.False(agents.EnumerateArray().First().TryGetProperty("tier", out _));
    }
}
