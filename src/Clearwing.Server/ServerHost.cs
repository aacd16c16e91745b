namespace Clearwing.Server;

public static class ServerHost
{
}
