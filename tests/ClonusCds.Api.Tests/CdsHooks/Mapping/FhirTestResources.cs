using System.Text.Json;
using ClonusCds.Api.CdsHooks.Fhir;
using R4 = Hl7.Fhir.Model;

namespace ClonusCds.Api.Tests.CdsHooks.Mapping;

/// <summary>FHIR JSON → the SDK's POCO, read as the service reads a prefetch value (FhirResources).</summary>
internal static class FhirTestResources
{
    public static R4.Resource Resource(string json)
    {
        var errors = new Dictionary<string, string[]>();
        using var document = JsonDocument.Parse(json);
        return FhirResources.Read(document.RootElement, "$", errors)
            ?? throw new InvalidOperationException("not valid FHIR: " + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")));
    }
}
