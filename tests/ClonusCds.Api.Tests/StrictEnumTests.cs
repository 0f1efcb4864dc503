using System.Net;
using System.Text.Json;
using ClonusCds.Core;
using ClonusCds.Core.Model;

namespace ClonusCds.Api.Tests;

/// <summary>
/// Enum values exactly as the contract spells them (issue 14 part 5): a value in another casing or
/// the C# member name gets a 400 that names the field and lists the allowed values, without quoting
/// what was sent; the exact snake_case spelling (JSON escapes included) is read; writing is unchanged.
/// </summary>
public sealed class StrictEnumTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("""{"clonus": {"present": true, "sites": ["Ankle"]}}""", "clonus.sites[0]", "ankle")]
    [InlineData("""{"clonus": {"present": true, "types": ["INDUCIBLE"]}}""", "clonus.types[0]", "inducible")]
    [InlineData("""{"clonus": {"present": true}, "setting": "emergencyDepartment"}""", "setting", "emergency_department")]
    public async Task A_value_in_another_spelling_names_the_field_and_lists_the_allowed_values(string body, string field, string allowed)
    {
        var (response, problem) = await _client.PostJson(Http.Assessments, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
        Assert.StartsWith("Expected one of: ", message, StringComparison.Ordinal);
        Assert.Contains(allowed, message.Split(": ", 2)[1].TrimEnd('.').Split(", "));
        // The submitted spelling is not echoed back.
        Assert.DoesNotContain("Ankle", message, StringComparison.Ordinal);
        Assert.DoesNotContain("INDUCIBLE", message, StringComparison.Ordinal);
        Assert.DoesNotContain("emergencyDepartment", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_exact_snake_case_spelling_is_read_even_when_written_with_escapes()
    {
        var (response, body) = await _client.PostJson(Http.Assessments,
            """{"clonus": {"present": true, "sites": ["\u0061nkle"], "types": ["inducible"]}, "setting": "emergency_department", "patient": {"sex": "female"}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.TryGetProperty("etiology", out _));
    }

    public static TheoryData<Type> ContractEnums() =>
    [
        .. typeof(PatientContext).Assembly.GetTypes()
            .Where(t => t.IsEnum && t.IsPublic && t.Namespace == typeof(PatientContext).Namespace)
            .OrderBy(t => t.Name, StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(ContractEnums))]
    public void Every_member_of_every_contract_enum_round_trips_and_only_its_snake_case_name_is_read(Type enumType)
    {
        foreach (var value in Enum.GetValues(enumType))
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString()!);
            var json = JsonSerializer.Serialize(value, enumType, ClonusJson.Options);
            Assert.Equal($"\"{name}\"", json);
            Assert.Equal(value, JsonSerializer.Deserialize(json, enumType, ClonusJson.Options));

            foreach (var other in new[] { value.ToString()!, name.ToUpperInvariant(), char.ToUpperInvariant(name[0]) + name[1..] }.Where(o => o != name))
            {
                Assert.Throws<JsonException>(() => JsonSerializer.Deserialize($"\"{other}\"", enumType, ClonusJson.Options));
            }
        }

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("0", enumType, ClonusJson.Options));
    }
}
