using System.Text.Json.Nodes;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>
/// No patient value from any FHIR fixture reaches the logs: names, birth dates, identifiers, the
/// patient id, medication names, observation texts and notes, clinicians' names.
/// </summary>
public sealed class CdsLoggingTests
{
    [Fact]
    public async Task No_patient_value_from_any_fixture_reaches_the_logs()
    {
        using var factory = new ClonusApiFactory();
        var client = factory.CreateClient();
        var values = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in FixtureLoader.Files())
        {
            var fixture = FixtureLoader.Load(file);
            Collect(fixture.Request, values);
            var response = await client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);
            Assert.True((int)response.Response.StatusCode < 500, file);
        }

        // The collector must have found real patient data, or the assertion below proves nothing.
        Assert.True(values.Count > 50, $"only {values.Count} patient values collected");
        var logs = factory.Logs.Events.Select(e => e.AllText).ToList();
        Assert.NotEmpty(logs);
        var leaks = values.Where(v => logs.Any(l => l.Contains(v, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(leaks.Count == 0, "patient values in logs: " + string.Join(" | ", leaks));
    }

    /// <summary>Walks the request and keeps values that identify or describe the patient.</summary>
    internal static void Collect(JsonNode? node, HashSet<string> into, string? parent = null)
    {
        switch (node)
        {
            case JsonObject obj:
                var type = obj["resourceType"]?.GetValue<string>();
                foreach (var (name, child) in obj)
                {
                    if (child is JsonValue value && value.TryGetValue<string>(out var text) && Worth(text))
                    {
                        var keep = name switch
                        {
                            "patientId" or "birthDate" or "family" or "text" when parent is "note" => true,
                            "patientId" or "birthDate" or "family" => true,
                            "value" when parent == "identifier" => true,
                            "display" when parent is "performer" or "subject" => true,
                            "text" when parent is "medicationCodeableConcept" or "method" or "bodySite" or "note" => true,
                            "display" when parent == "coding" && type is null => false,
                            "id" when type == "Patient" => true,
                            _ => false,
                        };
                        if (keep)
                        {
                            into.Add(text);
                        }
                    }

                    Collect(child, into, name == "coding" && parent == "medicationCodeableConcept" ? "medicationCoding" : name);
                }

                if (parent == "medicationCoding" && obj["display"]?.GetValue<string>() is { } display && Worth(display))
                {
                    into.Add(display);
                }

                if (parent == "name" || obj["given"] is not null)
                {
                    foreach (var given in obj["given"]?.AsArray() ?? [])
                    {
                        if (given?.GetValue<string>() is { } g && Worth(g))
                        {
                            into.Add(g);
                        }
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, into, parent);
                }

                break;
        }
    }

    /// <summary>Long enough to be specific (not "Present" or a unit).</summary>
    private static bool Worth(string text) => text.Length >= 5 && !text.StartsWith("${", StringComparison.Ordinal);
}
