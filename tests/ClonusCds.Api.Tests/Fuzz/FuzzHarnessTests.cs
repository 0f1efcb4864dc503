using System.Collections.Immutable;
using System.Text;

namespace ClonusCds.Api.Tests.Fuzz;

/// <summary>The fuzzing machinery itself: the property rejects what it must, and the writer sends what it says.</summary>
public sealed class FuzzHarnessTests
{
    private const string Problem400 = """{"type":"t","title":"Bad","status":400}""";

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(302)]
    public void A_5xx_or_a_redirect_fails_the_property(int status) =>
        Assert.NotNull(FuzzHarness.Verify(Surface.Assessments, status, "application/problem+json", Problem400.Replace("400", status.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), []));

    [Fact]
    public void A_4xx_must_be_a_problem_with_its_status_and_a_title()
    {
        Assert.Null(FuzzHarness.Verify(Surface.Feedback, 400, "application/problem+json", Problem400, []));
        Assert.NotNull(FuzzHarness.Verify(Surface.Feedback, 400, "application/json", Problem400, []));
        Assert.NotNull(FuzzHarness.Verify(Surface.Feedback, 413, "application/problem+json", Problem400, []));
        Assert.NotNull(FuzzHarness.Verify(Surface.Feedback, 400, "application/problem+json", """{"status":400}""", []));
        Assert.NotNull(FuzzHarness.Verify(Surface.Assessments, 401, "application/problem+json", "", []));
    }

    [Fact]
    public void A_cds_401_must_be_empty_and_a_cds_200_must_have_cards()
    {
        Assert.Null(FuzzHarness.Verify(Surface.CdsService, 401, null, "", []));
        Assert.NotNull(FuzzHarness.Verify(Surface.CdsService, 401, "application/problem+json", Problem400.Replace("400", "401", StringComparison.Ordinal), []));
        Assert.Null(FuzzHarness.Verify(Surface.CdsService, 200, "application/json", """{"cards":[]}""", []));
        Assert.NotNull(FuzzHarness.Verify(Surface.CdsService, 200, "application/json", """{"cards":{}}""", []));
    }

    [Theory]
    [InlineData("System.InvalidOperationException")]
    [InlineData("   at ClonusCds.Api.Foo()")]
    [InlineData("NullReferenceException")]
    public void Internals_in_a_body_fail_the_property_unless_the_request_sent_them(string marker)
    {
        var body = """{"type":"t","title":"Bad","status":400,"detail":"MARKER"}""".Replace("MARKER", marker, StringComparison.Ordinal);
        Assert.NotNull(FuzzHarness.Verify(Surface.Assessments, 400, "application/problem+json", body, []));
        Assert.Null(FuzzHarness.Verify(Surface.Assessments, 400, "application/problem+json", body, Encoding.UTF8.GetBytes(marker)));
    }

    [Fact]
    public void Prose_is_not_a_marker() =>
        Assert.Null(FuzzHarness.Verify(Surface.Assessments, 400, "application/problem+json",
            """{"title":"Exceptional care: the System. Done.","status":400}""", []));

    [Fact]
    public void The_writer_sends_duplicates_raw_bytes_lone_surrogates_and_runs()
    {
        var body = new JObj([
            new JMember("a", new JNum("1e309")),
            new JMember("a", new JStr("x\uD800\"\u0001😀")),
            new JMember("b", new JRawString([0x61, 0xC3, 0x28])),
            new JMember("c", new JRepeat("é", 3)),
            new JMember("d", new JNest(3, false, JNull.Instance)),
        ]);
        var expected = new List<byte>();
        expected.AddRange(Encoding.UTF8.GetBytes("{\"a\":1e309,\"a\":\"x\\uD800\\\"\\u0001😀\",\"b\":\"a"));
        expected.AddRange([0xC3, 0x28]);
        expected.AddRange(Encoding.UTF8.GetBytes("\",\"c\":\"ééé\",\"d\":[[[null]]]}"));
        Assert.Equal(expected, JText.ToBytes(body));
    }

    [Fact]
    public void A_10_MB_string_prints_compactly()
    {
        var text = new FuzzCase(Http.Assessments, "huge", JText.Obj(("name", new JRepeat("a", FuzzGen.TenMegabytes)))).ToString();
        Assert.True(text.Length < 200, text);
        Assert.Contains("10485760", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Shrinking_offers_smaller_documents_first()
    {
        var body = JText.Obj(("a", JText.Obj(("b", JText.Arr(new JStr("xyz"), new JNum("5"))))), ("c", new JBool(true)));
        var candidates = JText.Shrink(body).Take(3).Select(JText.ToText).ToList();
        Assert.Equal(["""{"c":true}""", """{"a":{"b":["xyz",5]}}""", """{"b":["xyz",5]}"""], candidates);
    }

    [Fact]
    public void Mutations_keep_the_rest_of_the_document()
    {
        var document = JText.Obj(("x", new JNum("1")), ("y", JText.Arr(new JStr("a"))));
        var removed = JText.Remove(document, ImmutableArray.Create(1, 0));
        Assert.Equal("""{"x":1,"y":[]}""", JText.ToText(removed));
        Assert.Equal("$.y[0]", JText.Describe(document, ImmutableArray.Create(1, 0)));
    }
}
