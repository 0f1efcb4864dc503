using System.Net;

namespace ClonusCds.Api.Tests;

/// <summary>
/// The load-benchmark routes (src/ClonusCds.Api/Benchmarking/BenchmarkApi.cs) exist only in a build
/// with <c>-p:ClonusBenchmark=true</c> (tests/load/run.sh). The normal build, tested here, has none.
/// </summary>
public sealed class BenchmarkFlagTests
{
    [Fact]
    public async Task Echo_route_is_not_in_the_normal_build()
    {
        await using var factory = new ClonusApiFactory();
        var client = factory.CreateClient();

        var response = await client.PostAsync("/benchmark/echo", Http.Json("""{"clonus":{"present":true}}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/benchmark/stats")]
    [InlineData("POST", "/benchmark/echo-pipeline")]
    [InlineData("POST", "/benchmark/replay")]
    [InlineData("POST", "/benchmark/assess-floor")]
    [InlineData("POST", "/benchmark/gc")]
    public async Task Other_benchmark_routes_are_not_in_the_normal_build(string method, string path)
    {
        await using var factory = new ClonusApiFactory();
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = Http.Json("{}");
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void Benchmark_code_is_not_compiled_into_the_normal_build()
    {
        var assembly = typeof(Program).Assembly;
        Assert.Null(assembly.GetType("ClonusCds.Api.Benchmarking.BenchmarkApi"));
        Assert.Null(assembly.GetType("ClonusCds.Api.Benchmarking.BenchmarkStats"));
    }
}
