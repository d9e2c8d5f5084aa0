using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Experiments.Host.Tests;

/// <summary>Hostile and clumsy requests: each gets a clear JSON answer, and the service stays healthy.</summary>
public sealed class HttpApiAbuseSpecs(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static string Sweep(string name, double learningRate = 0.001, int epochs = 1) => $$"""
        experiments.sweeps = [{
          name = {{name}}
          model = cnn
          dataset = { name = mnist-default, limit = 600 }
          search { method = grid, space { learning-rate = [{{learningRate}}] } }
          cross-validation { folds = 2, test-fraction = 0.2 }
          training { max-epochs = {{epochs}}, steps-per-epoch = 1, batch-size = 32, hidden = 8 }
          resources { max-concurrent-trials = 1, threads-per-trial = 1 }
        }]
        """;

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpContent content, bool expectContinue = false)
    {
        var service = await fixture.ReadyAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sweeps") { Content = content };
        request.Headers.ExpectContinue = expectContinue;
        using var response = await service.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length > 0, $"{(int)response.StatusCode} with an empty body");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task AssertHealthyAsync()
    {
        Assert.Equal(HttpStatusCode.OK, (await fixture.Service.Http.GetAsync("/health")).StatusCode);
        Assert.Empty(fixture.LoggedExceptions());
    }

    private static string Errors(JsonElement body) => string.Join(" | ", body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));

    [Fact]
    public async Task Should_answer_a_50_MB_body_with_413_and_the_limit_in_JSON()
    {
        // As curl does for a large body: the service answers before the body is sent.
        var (status, body) = await PostAsync(new ByteArrayContent(new byte[50 << 20]), expectContinue: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("1,048,576", Errors(body));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Should_answer_a_large_chunked_body_with_413()
    {
        var content = new StreamContent(new MemoryStream(new byte[3 << 20]));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sweeps") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var service = await fixture.ReadyAsync();
        using var response = await service.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("1,048,576", await response.Content.ReadAsStringAsync());
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Should_answer_an_empty_body_with_400_saying_so()
    {
        var (status, body) = await PostAsync(new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("empty", Errors(body));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Should_answer_invalid_utf8_with_400_naming_the_encoding()
    {
        var (status, body) = await PostAsync(new ByteArrayContent([.. "experiments.sweeps = [{ name = "u8, 0xC3, 0x28, .. " }]"u8]));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("UTF-8", Errors(body));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Should_answer_binary_data_with_400()
    {
        var random = new Random(15);
        var bytes = new byte[4096];
        random.NextBytes(bytes);
        var (status, body) = await PostAsync(new ByteArrayContent(bytes));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(Errors(body));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Should_answer_a_form_upload_with_415_saying_how_to_send_a_spec()
    {
        var form = new MultipartFormDataContent { { new StringContent(Sweep("form-upload")), "file", "spec.hocon" } };
        var (status, body) = await PostAsync(form);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("--data-binary", Errors(body));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Should_accept_a_spec_sent_with_any_plain_content_type()
    {
        var content = new StringContent(Sweep("json-typed"), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var (status, _) = await PostAsync(content);
        Assert.Equal(HttpStatusCode.Accepted, status);
        await fixture.Service.Http.PostAsync("/sweeps/json-typed/cancel", null);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Should_accept_the_same_sweep_posted_concurrently_once_and_let_every_caller_know()
    {
        var service = await fixture.ReadyAsync();
        var posts = Enumerable.Range(0, 8).Select(_ => service.Http.PostAsync("/sweeps", new StringContent(Sweep("same-at-once"))));
        var responses = await Task.WhenAll(posts);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var list = await service.Http.GetFromJsonAsync<JsonElement>("/sweeps");
        Assert.Single(list.EnumerateArray(), s => s.GetProperty("name").GetString() == "same-at-once");
        await service.Http.PostAsync("/sweeps/same-at-once/cancel", null);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Should_take_different_sweeps_posted_concurrently_and_refuse_a_changed_spec_under_a_running_name()
    {
        var service = await fixture.ReadyAsync();
        var names = Enumerable.Range(0, 4).Select(i => $"different-{i}").ToList();
        // Long enough (1,000 epochs) to be still running when the changed spec comes; cancelled at the end.
        var responses = await Task.WhenAll(names.Select(n => service.Http.PostAsync("/sweeps", new StringContent(Sweep(n, epochs: 1000)))));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));

        var (status, body) = await PostAsync(new StringContent(Sweep("different-0", learningRate: 0.01, epochs: 1000)));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("already running with another spec", Errors(body));
        foreach (var name in names) await service.Http.PostAsync($"/sweeps/{name}/cancel", null);
        await AssertHealthyAsync();
    }
}
