using System.Text.Json;
using IkeSharp.Cli.Decode;
using IkeSharp.Cli.Tests.Golden;

namespace IkeSharp.Cli.Tests.Decode;

/// <summary><c>ikesharp decode</c> on real strongSwan captures, as an operator would run it.</summary>
public class DecodeCommandTests
{
    private static (int Status, string Output) Decode(string @case, bool json)
    {
        using var output = new StringWriter();
        var file = new FileInfo(Path.Combine(StrongSwanCaptures.Directory, @case + ".pcap"));
        var status = DecodeCommand.DecodeCapture(file, json ? JsonRenderer.Render : TextRenderer.Render, output);
        return (status, output.ToString());
    }

    [Fact]
    public void Json_has_one_object_per_IKE_message_with_IANA_names()
    {
        var (status, output) = Decode("psk-gcm-ecp", json: true);
        var messages = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(0, status);
        Assert.Equal(6, messages.Count);
        var init = messages[0];
        Assert.Equal("IKE_SA_INIT", init.GetProperty("exchange").GetString());
        Assert.Equal("initiator", init.GetProperty("role").GetString());
        Assert.Equal("request", init.GetProperty("kind").GetString());
        Assert.Equal("192.0.2.1:500", init.GetProperty("source").GetString());
        var transforms = init.GetProperty("payloads")[0].GetProperty("proposals")[0].GetProperty("transforms").EnumerateArray().ToList();
        Assert.Equal("ENCR_AES_GCM_16", transforms[0].GetProperty("id").GetString());
        Assert.Equal(192, transforms[0].GetProperty("keyLength").GetInt32());
        Assert.Contains(transforms, t => t.GetProperty("id").GetString() == "ECP_521");
        Assert.Contains(init.GetProperty("payloads").EnumerateArray(), p => p.TryGetProperty("notify", out var n) && n.GetString() == "NAT_DETECTION_SOURCE_IP");

        var auth = messages[2];
        Assert.True(auth.GetProperty("nonEspMarker").GetBoolean());
        Assert.Equal("192.0.2.1:4500", auth.GetProperty("source").GetString());
        var sk = auth.GetProperty("payloads")[0];
        Assert.Equal("SK", sk.GetProperty("type").GetString());
        Assert.Equal("IDi", sk.GetProperty("firstInnerPayload").GetString());
        Assert.True(sk.GetProperty("encryptedLength").GetInt32() > 100);
    }

    [Fact]
    public void Text_reads_like_strongSwans_log_with_the_fields_below()
    {
        var (_, output) = Decode("invalid-ke", json: false);

        Assert.Contains("192.0.2.2:500 -> 192.0.2.1:500  IKE_SA_INIT response 0 [ N(INVAL_KE) ]", output);
        Assert.Contains("notify: INVALID_KE_PAYLOAD", output);
        Assert.Contains("requestedGroup: MODP_2048", output);
        Assert.Contains("- type=KE  id=ECP_256", output);
    }

    [Fact]
    public void Fragments_and_certificates_are_explained()
    {
        var (_, fragmented) = Decode("x509-rsa-fragmented", json: false);
        var (_, certificates) = Decode("x509-ecdsa-certs", json: false);

        Assert.Contains("IKE_AUTH request 1 [ EF(3/5) ]", fragmented);
        Assert.Contains("totalFragments: 5", fragmented);
        Assert.Contains("- type: CERTREQ\n      encoding: X509_CERTIFICATE_SIGNATURE\n      authorities:\n        - ", certificates.Replace("\r", ""));
    }

    [Fact]
    public void Hex_input_with_a_non_ESP_marker_decodes_one_message()
    {
        var message = StrongSwanCaptures.Messages("psk-defaults")[0].Octets;
        using var output = new StringWriter();

        var status = DecodeCommand.DecodeHex("00000000" + Convert.ToHexString(message), JsonRenderer.Render, output);

        Assert.Equal(0, status);
        var json = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.True(json.GetProperty("nonEspMarker").GetBoolean());
        Assert.Equal(2, json.GetProperty("payloads")[0].GetProperty("proposals").GetArrayLength());
    }

    [Fact]
    public void Garbage_hex_is_reported_with_the_decode_error_and_exit_status_1()
    {
        using var output = new StringWriter();

        var status = DecodeCommand.DecodeHex("0102030405060708000000000000000021202208000000000000002022000010", TextRenderer.Render, output);

        Assert.Equal(1, status);
        Assert.Contains("decodeError: SA payload at offset 28: payload length 16 exceeds the 4 octets left", output.ToString());
    }
}
