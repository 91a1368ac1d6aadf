module.exports = { ...require('@clade/jest-preset') };
