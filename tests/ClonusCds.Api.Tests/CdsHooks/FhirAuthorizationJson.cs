using System.Text.Json.Nodes;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>The <c>fhirAuthorization</c> object of a CDS Hooks request, for the tests that let the service fetch.</summary>
internal static class FhirAuthorizationJson
{
    /// <summary>A complete bearer grant carrying <paramref name="token"/>.</summary>
    public static JsonObject For(string token) => new()
    {
        ["access_token"] = token,
        ["token_type"] = "Bearer",
        ["expires_in"] = 300,
        ["scope"] = "user/*.read",
        ["subject"] = "clonus-cds",
    };
}
