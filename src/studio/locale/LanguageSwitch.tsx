import {TranslateIcon} from '@sanity/icons'
import {Box, Button, Card, Flex, Menu, MenuButton, MenuItem} from '@sanity/ui'
import {useLocale, useTranslation, type NavbarProps} from 'sanity'

// The Studio (from Sanity 5) no longer lists languages in its user menu, so the choice between English and
// العربية sits at the end of the top bar. Sanity keeps the choice per browser, as its own menu did.
export function NavbarWithLanguage(props: NavbarProps) {
  return (
    <Flex align="stretch">
      <Box flex={1}>{props.renderDefault(props)}</Box>
      <Card borderBottom paddingX={2} display="flex" style={{alignItems: 'center'}}>
        <LanguageMenu />
      </Card>
    </Flex>
  )
}

function LanguageMenu() {
  const {locales, currentLocale, changeLocale} = useLocale()
  const {t} = useTranslation()
  const label = t('user-menu.locale-title')
  if (locales.length < 2) return null
  return (
    <MenuButton
      id="newsroom-language"
      button={<Button mode="bleed" icon={TranslateIcon} text={currentLocale.title} aria-label={label} title={label} data-testid="newsroom-language-button" />}
      menu={
        <Menu>
          {locales.map((locale) => (
            <MenuItem
              key={locale.id}
              text={locale.title}
              lang={locale.id}
              pressed={locale.id === currentLocale.id}
              data-testid={`newsroom-language-${locale.id}`}
              onClick={() => void changeLocale(locale.id)}
            />
          ))}
        </Menu>
      }
      popover={{placement: 'bottom-end', portal: true}}
    />
  )
}
