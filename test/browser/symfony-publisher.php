<?php
// A publisher as a Symfony application is one, with Debian's
// php-symfony-mercure: Hub, Update, a token provider, Authorization for the
// subscriber's cookie. Used by hub-browser.mjs (scenario symfony).
//
//   MERCURE_URL=... MERCURE_JWT_SECRET=... php symfony-publisher.php publish < updates.json
//       each update {topics, data, private, id, type, retry} through
//       Hub::publish; prints the ids the hub answered, one a line
//   MERCURE_URL=... MERCURE_JWT_SECRET=... php symfony-publisher.php cookie PAGE_URL TOPIC...
//       the mercureAuthorization cookie Authorization::createCookie makes
//       for a request of PAGE_URL, allowed to subscribe to TOPIC...: JSON
//
// The component's own token factory, LcobucciFactory, needs lcobucci/jwt,
// which Debian does not package: this HS256 factory stands in for it (the
// claims are the same: mercure.publish, mercure.subscribe, and what else the
// caller adds, such as exp).

declare(strict_types=1);

require_once 'Symfony/Component/Mercure/autoload.php';

use Symfony\Component\HttpFoundation\Request;
use Symfony\Component\Mercure\Authorization;
use Symfony\Component\Mercure\Exception\RuntimeException;
use Symfony\Component\Mercure\Hub;
use Symfony\Component\Mercure\HubRegistry;
use Symfony\Component\Mercure\Jwt\FactoryTokenProvider;
use Symfony\Component\Mercure\Jwt\TokenFactoryInterface;
use Symfony\Component\Mercure\Update;

final class Hs256Factory implements TokenFactoryInterface
{
    private string $secret;

    public function __construct(string $secret)
    {
        $this->secret = $secret;
    }

    public function create(?array $subscribe = [], ?array $publish = [], array $additionalClaims = []): string
    {
        $claims = ['mercure' => []];
        if (null !== $subscribe) {
            $claims['mercure']['subscribe'] = $subscribe;
        }
        if (null !== $publish) {
            $claims['mercure']['publish'] = $publish;
        }
        foreach ($additionalClaims as $name => $value) {
            $claims[$name] = $value instanceof \DateTimeInterface ? $value->getTimestamp() : $value;
        }
        $b64 = static fn (string $s): string => rtrim(strtr(base64_encode($s), '+/', '-_'), '=');
        $head = $b64(json_encode(['typ' => 'JWT', 'alg' => 'HS256'], JSON_THROW_ON_ERROR)) . '.'
            . $b64(json_encode($claims, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES));

        return $head . '.' . $b64(hash_hmac('sha256', $head, $this->secret, true));
    }
}

function setting(string $name): string
{
    $v = getenv($name);
    if (false === $v || '' === $v) {
        fwrite(STDERR, "symfony-publisher: $name is not set\n");
        exit(2);
    }

    return $v;
}

$factory = new Hs256Factory(setting('MERCURE_JWT_SECRET'));
// A publisher's token, as MERCURE_JWT_SECRET and mercure.hubs.default.jwt.publish: ['*'] give it.
$hub = new Hub(setting('MERCURE_URL'), new FactoryTokenProvider($factory, [], ['*']), $factory);

switch ($argv[1] ?? '') {
case 'publish':
    $updates = json_decode((string) stream_get_contents(STDIN), true, 16, JSON_THROW_ON_ERROR);
    foreach ($updates as $u) {
        try {
            echo $hub->publish(new Update($u['topics'], $u['data'] ?? '', $u['private'] ?? false,
                $u['id'] ?? null, $u['type'] ?? null, $u['retry'] ?? null)), "\n";
        } catch (RuntimeException $e) {
            // what the hub answered is in the previous exception
            fwrite(STDERR, 'symfony-publisher: ' . $e->getMessage()
                . ($e->getPrevious() ? ': ' . $e->getPrevious()->getMessage() : '') . "\n");
            exit(1);
        }
    }
    break;
case 'cookie':
    $request = Request::create($argv[2] ?? setting('PAGE_URL'));
    $cookie = (new Authorization(new HubRegistry($hub), 600))->createCookie($request, array_slice($argv, 3));
    echo json_encode([
        'name' => $cookie->getName(),
        'value' => $cookie->getValue(),
        'path' => $cookie->getPath(),
        'domain' => $cookie->getDomain(),
        'expires' => $cookie->getExpiresTime(),
        'httpOnly' => $cookie->isHttpOnly(),
        'sameSite' => $cookie->getSameSite(),
    ], JSON_UNESCAPED_SLASHES), "\n";
    break;
default:
    fwrite(STDERR, "usage: symfony-publisher.php publish < updates.json | cookie PAGE_URL TOPIC...\n");
    exit(2);
}
