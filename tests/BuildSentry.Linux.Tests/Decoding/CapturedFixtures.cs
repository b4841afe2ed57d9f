namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>Bytes captured from real clients on loopback (see each member for how).</summary>
internal static class CapturedFixtures
{
    /// <summary>
    /// The first bytes <c>openssl s_client -connect 127.0.0.1:PORT -servername example.test</c>
    /// (OpenSSL 3.0) sent to a Python listener: one record holding the whole ClientHello.
    /// </summary>
    public static byte[] OpenSslClientHello { get; } = Convert.FromHexString(
        "1603010139010001350303027abf23c516ed83e008c57496ca2acde08cece922c4fb94779dda2e223927e9202c564604" +
        "c4560c4f79a170d83c8413644047b0dedf52bf3fbf4f167360bdcc90003e130213031301c02cc030009fcca9cca8ccaa" +
        "c02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00ff010000ae" +
        "00000011000f00000c6578616d706c652e74657374000b000403000102000a00160014001d0017001e00190018010001" +
        "01010201030104002300000016000000170000000d002a0028040305030603080708080809080a080b08040805080604" +
        "0105010601030303010302040205020602002b0009080304030303020301002d00020101003300260024001d00206ece" +
        "d608a7483e97d3136e2e15506db61668661c7a8cea0d5d4b2b6a42d1d120");

    /// <summary>What <c>curl -H "Host: Example.TEST:8080" http://127.0.0.1:PORT/path?q=1</c> (curl 7.88) sent.</summary>
    public static byte[] CurlRequest { get; } =
        "GET /path?q=1 HTTP/1.1\r\nHost: Example.TEST:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"u8.ToArray();
}
