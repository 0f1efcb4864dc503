using System.Net;
using ClonusCds.Api.Tests.CdsHooks;
using ClonusCds.Api.Tests.CdsHooks.Feedback;
using ClonusCds.Api.Tests.CdsHooks.Trust;
using ClonusCds.Api.Tests.Security;

namespace ClonusCds.Api.Tests.Audit;

/// <summary>
/// As deployed (both trusts on): reading an audit record needs a REST access token with
/// clonus.audit.read; the record names the authenticated client of the call it records.
/// </summary>
public sealed class AuditReadAuthTests(FeedbackReadAuthFixture f) : IClassFixture<FeedbackReadAuthFixture>
{
    private const string AuditScope = "clonus.audit.read";

    private string Rest(string? scope) => ApiKit.SignEs(f.RestKey, ApiKit.Claims(ApiKit.EsIssuer, scope));

    private async Task<string> AssessAsClient()
    {
        var response = await f.Client.Send(HttpMethod.Post, "/api/v1/assessments", Rest("clonus.assess"), AuditTrailTests.SerotoninCase);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Http.Read(response)).GetProperty("assessmentId").GetString()!;
    }

    [Fact]
    public async Task Without_a_token_the_read_is_401()
    {
        var id = await AssessAsClient();
        var response = await f.Client.GetAsync($"/api/v1/assessments/{id}");
        await ApiKit.AssertUnauthorized(response, tokenSent: false);
    }

    [Fact]
    public async Task A_token_without_the_audit_scope_is_403_naming_the_scope()
    {
        var id = await AssessAsClient();
        var response = await f.Client.Send(HttpMethod.Get, $"/api/v1/assessments/{id}", Rest("clonus.assess clonus.feedback.read"));
        await ApiKit.AssertForbidden(response, AuditScope);
    }

    [Fact]
    public async Task A_cds_client_jwt_cannot_read_the_audit_trail()
    {
        var id = await AssessAsClient();
        var jwt = TrustKit.SignEs(f.EhrKey, FeedbackReadAuthFixture.EhrKid,
            TrustKit.Claims(FeedbackReadAuthFixture.EhrIssuer, TrustKit.PublicBaseUrl + $"/api/v1/assessments/{id}"));
        var response = await f.Client.Send(HttpMethod.Get, $"/api/v1/assessments/{id}", jwt);
        await ApiKit.AssertUnauthorized(response, tokenSent: true);
    }

    [Fact]
    public async Task The_audit_scope_reads_the_record_which_names_the_rest_client()
    {
        var id = await AssessAsClient();
        var record = await AuditTrailTests.AwaitRecord(f.Client, id, Rest(AuditScope));
        Assert.Equal(ApiKit.ClientId, record.GetProperty("client").GetString());
    }

    [Fact]
    public async Task A_cds_hooks_answer_is_recorded_under_the_issuer_of_its_jwt()
    {
        var fixture = FixtureLoader.Load("05-patient-view-ms-sustained-ankle-clonus.json");
        var path = $"/cds-services/{fixture.Service}";
        var jwt = TrustKit.SignEs(f.EhrKey, FeedbackReadAuthFixture.EhrKid, TrustKit.Claims(FeedbackReadAuthFixture.EhrIssuer, TrustKit.PublicBaseUrl + path));
        var response = await f.Client.Send(HttpMethod.Post, path, jwt, fixture.RequestJson);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await Http.Read(response)).GetProperty("cards")[0].GetProperty("extension").GetProperty("org.clonuscds").GetProperty("assessmentId").GetString()!;

        var record = await AuditTrailTests.AwaitRecord(f.Client, id, Rest(AuditScope));
        Assert.Equal(FeedbackReadAuthFixture.EhrIssuer, record.GetProperty("client").GetString());
    }
}
