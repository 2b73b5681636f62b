<?php
// The seed's batch loop (shared/seeds/002, "adding batch operation"): read "email | password" lines
// from a file and create one account per line, serially, one HTTP call each, printing the outcome.
// Adapted only where it must be to reach the same loopback cPanel fake as Mailroom's batch CLI: the
// call is cPanel UAPI Email/add_pop with the API token instead of Aurora's Core/CreateUser, and
// PHP's stream wrapper stands in for curl (php-curl is not installed here).
function postdata($sUrl, $aPost, $sToken = "") {
    $aOpts = array('http' => array(
        'method' => 'POST',
        'header' => "Content-Type: application/x-www-form-urlencoded\r\n" . ($sToken != "" ? "Authorization: cpanel " . $sToken . "\r\n" : ""),
        'content' => http_build_query($aPost),
        'ignore_errors' => true,
    ));
    $mResult = file_get_contents($sUrl, false, stream_context_create($aOpts));
    $oResult = ($mResult !== false) ? json_decode($mResult) : null;
    return $oResult;
}
$sEOL = (PHP_SAPI === 'cli') ? PHP_EOL : "<BR/>";

$sUrl = $argv[1] . "/execute/Email/add_pop";
$sAuthToken = $argv[2];
$file = file($argv[3]);
foreach ($file as $line) {
    if (strpos($line, " | ") !== false) {
        $aLine = explode(" | ", $line); $sEmail = trim($aLine[0]); $sPassword = trim($aLine[1]);
        $aParts = explode("@", $sEmail);
        $aData = array("email" => $aParts[0], "domain" => $aParts[1], "password" => $sPassword, "quota" => 2048);
        $oResult = postdata($sUrl, $aData, $sAuthToken);
        if (!isset($oResult->status) || $oResult->status != 1) {
            echo "Cannot create user $sEmail" . $sEOL;
        } else {
            echo "User $sEmail created successfully" . $sEOL;
        }
    }
}
